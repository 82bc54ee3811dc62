import Foundation

/// The lease storage API (DESIGN.md §3). Every plugin that hands out addresses or prefixes
/// reads and writes leases through it; providers keep the invariants listed there.
///
/// The usual write is read–modify–write on one client: `lookup`, then `update` with the
/// token (or `releaseToken` to abandon). `transact` wraps that loop with retries.
public protocol LeaseStore: Sendable {
    /// A short name for logs and status ("memory", "sqlite", "postgres").
    var providerName: String { get }

    /// Reads the client's leases and prepares an update.
    func lookup(_ client: ClientID) async throws(LeaseStoreError) -> LeaseLookup

    /// Replaces the client's whole lease set with `leases`, if nobody changed it since the
    /// lookup. `writer` is the plugin instance writing: it may create leases it owns and change
    /// or delete only leases it owns (`LeaseWriter.operator` may change any lease's state and
    /// expiry). Returns the leases as stored (with versions). When this returns, the change is
    /// as durable as the provider promises.
    @discardableResult
    func update(_ client: ClientID, leases: [Lease], token: LeaseToken, writer: String) async throws(LeaseStoreError)
        -> [Lease]

    /// Abandons a token without writing.
    func releaseToken(_ token: LeaseToken) async

    /// Reads without preparing an update.
    func read(_ client: ClientID) async throws(LeaseStoreError) -> [Lease]

    /// Reverse lookup: who holds this address or prefix (in any state), if anyone.
    func holder(of resource: LeaseResource) async throws(LeaseStoreError) -> LeaseRecord?

    /// A page of leases ordered by (client storage key, kind, IAID), after `cursor`.
    func page(after cursor: LeaseCursor?, limit: Int, filter: LeaseFilter) async throws(LeaseStoreError) -> LeasePage

    /// Every committed change from now on, in commit order. A subscriber that falls more than
    /// `bufferSize` changes behind receives `.overflow` and should re-read a snapshot.
    func changes(bufferSize: Int) -> LeaseChangeStream

    /// Registers the handler called for each lease of `owner` that the reclaimer expires or
    /// deletes (after the change is committed). One handler per owner; a new one replaces it.
    func onExpiry(owner: String, _ handler: @escaping @Sendable (ExpiryNotice) async -> Void)

    /// One bounded reclamation pass: at most `limit` leases and about `timeBudget` of work.
    /// An active lease past `expiresAt` becomes `expired` and stays reserved for its client for
    /// the hold time; any other lease past `expiresAt` is deleted.
    func reclaimExpired(limit: Int, timeBudget: Duration) async throws(LeaseStoreError) -> ReclaimReport
}

/// Writer names with a special meaning.
public enum LeaseWriter {
    /// An operator (control socket, dashboard): may change the state and expiry of any lease,
    /// and delete any lease, but not create one or change its elements or owner.
    public static let `operator` = "operator"
}

/// A client's leases and the token to update them.
public struct LeaseLookup: Sendable {
    public var leases: [Lease]
    public var token: LeaseToken

    public init(leases: [Lease], token: LeaseToken) {
        self.leases = leases
        self.token = token
    }
}

/// Where a bulk read stopped. Opaque; pass it back to continue.
public struct LeaseCursor: Hashable, Sendable, Codable {
    public var clientKey: [UInt8]
    public var kind: UInt8
    public var iaid: UInt32

    public init(after record: LeaseRecord) {
        clientKey = record.client.storageKey
        kind = record.lease.kind.rawValue
        iaid = record.lease.iaid
    }

    /// Whether `record` sorts after this cursor in page order.
    public func precedes(_ record: LeaseRecord) -> Bool {
        let key = record.client.storageKey
        if key != clientKey { return clientKey.lexicographicallyPrecedes(key) }
        return (kind, iaid) < (record.lease.kind.rawValue, record.lease.iaid)
    }
}

/// Which leases a bulk read returns. Nil fields match everything.
public struct LeaseFilter: Hashable, Sendable, Codable {
    public var states: Set<LeaseState>?
    public var kinds: Set<LeaseKind>?
    public var owner: String?
    public var pool: String?

    public init(states: Set<LeaseState>? = nil, kinds: Set<LeaseKind>? = nil, owner: String? = nil, pool: String? = nil) {
        self.states = states
        self.kinds = kinds
        self.owner = owner
        self.pool = pool
    }

    public static let all = LeaseFilter()

    public func matches(_ lease: Lease) -> Bool {
        if let states, !states.contains(lease.state) { return false }
        if let kinds, !kinds.contains(lease.kind) { return false }
        if let owner, lease.owner != owner { return false }
        if let pool, lease.pool != pool { return false }
        return true
    }
}

public struct LeasePage: Sendable {
    public var records: [LeaseRecord]
    /// Nil when this was the last page.
    public var next: LeaseCursor?

    public init(records: [LeaseRecord], next: LeaseCursor?) {
        self.records = records
        self.next = next
    }
}

/// Configuration every provider shares.
public struct LeaseStoreOptions: Sendable {
    /// How long an unused token stays valid.
    public var tokenTimeout: Duration
    /// How long an expired lease stays reserved for its client before its elements are freed.
    public var expiredHoldTime: Duration
    /// The wall clock that decides expiry; tests inject a manual one.
    public var clock: any LeaseClock

    public init(
        tokenTimeout: Duration = .seconds(10), expiredHoldTime: Duration = .seconds(3600),
        clock: any LeaseClock = SystemLeaseClock()
    ) {
        self.tokenTimeout = tokenTimeout
        self.expiredHoldTime = expiredHoldTime
        self.clock = clock
    }
}

extension LeaseStore {
    public func changes() -> LeaseChangeStream { changes(bufferSize: 4096) }

    /// Reads every lease matching `filter`, page by page.
    public func all(matching filter: LeaseFilter = .all, pageSize: Int = 1000) async throws(LeaseStoreError) -> [LeaseRecord] {
        var result: [LeaseRecord] = []
        var cursor: LeaseCursor?
        repeat {
            let page = try await page(after: cursor, limit: pageSize, filter: filter)
            result += page.records
            cursor = page.next
        } while cursor != nil
        return result
    }
}
