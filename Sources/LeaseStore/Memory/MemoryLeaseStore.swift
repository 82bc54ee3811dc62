import Foundation
import HeapModule

/// The in-memory provider: an actor, so every operation on it is serialised. Tokens are the
/// client's version (compare-and-swap on update); a dictionary from element to client is the
/// unique index; a heap ordered by `expiresAt` drives reclamation. Nothing survives the
/// process: for tests, demos and benchmarks.
public actor MemoryLeaseStore: LeaseStore {
    private struct Record {
        var version: UInt64
        var leases: [Lease]
    }

    /// A heap entry; stale once the lease it names changed (its version moved on).
    private struct ExpiryEntry: Comparable {
        var at: Date
        var client: ClientID
        var key: LeaseKey
        var version: UInt64

        static func < (lhs: Self, rhs: Self) -> Bool { (lhs.at, lhs.version) < (rhs.at, rhs.version) }
        static func == (lhs: Self, rhs: Self) -> Bool { lhs.at == rhs.at && lhs.version == rhs.version }
    }

    public nonisolated let providerName = "memory"
    private let options: LeaseStoreOptions
    private let ledger: TokenLedger
    private let broadcaster = ChangeBroadcaster()
    private let handlers = ExpiryHandlers()

    private var records: [ClientID: Record] = [:]
    private var holders: [LeaseResource: ClientID] = [:]
    private var expiryQueue = Heap<ExpiryEntry>()
    /// The last commit's sequence number; leases carry it as their version.
    private var commitSequence: UInt64 = 0
    /// Client keys in page order; rebuilt lazily after clients come or go.
    private var sortedClients: [(key: [UInt8], client: ClientID)]?

    public init(options: LeaseStoreOptions = LeaseStoreOptions()) {
        self.options = options
        ledger = TokenLedger(timeout: options.tokenTimeout, clock: options.clock)
    }

    public func lookup(_ client: ClientID) throws(LeaseStoreError) -> LeaseLookup {
        let record = records[client]
        return LeaseLookup(leases: record?.leases ?? [], token: ledger.issue(for: client, version: record?.version ?? 0))
    }

    @discardableResult
    public func update(_ client: ClientID, leases: [Lease], token: LeaseToken, writer: String) throws(LeaseStoreError)
        -> [Lease]
    {
        try ledger.check(token, for: client)
        defer { ledger.consume(token) }
        let record = records[client]
        guard (record?.version ?? 0) == token.version else {
            throw .conflict("\(client) changed since \(token) was issued")
        }
        let plan = try CommitPlan.update(
            client: client, old: record?.leases ?? [], new: leases, writer: writer, version: commitSequence + 1,
            now: options.clock.now())
        if plan.isEmpty { return plan.leases }
        for resource in plan.claimed {
            if let holder = holders[resource], holder != client { throw .addressInUse(resource) }
        }
        commitSequence += 1
        apply(plan, to: client)
        return plan.leases
    }

    public nonisolated func releaseToken(_ token: LeaseToken) async { ledger.consume(token) }

    public func read(_ client: ClientID) -> [Lease] { records[client]?.leases ?? [] }

    public func holder(of resource: LeaseResource) -> LeaseRecord? {
        guard let client = holders[resource],
            let lease = records[client]?.leases.first(where: { $0.resources.contains(resource) })
        else { return nil }
        return LeaseRecord(client: client, lease: lease)
    }

    public func page(after cursor: LeaseCursor?, limit: Int, filter: LeaseFilter) throws(LeaseStoreError) -> LeasePage {
        guard limit > 0 else { throw .invalidArgument("page limit must be positive, got \(limit)") }
        if sortedClients == nil {
            sortedClients = records.keys.map { (key: $0.storageKey, client: $0) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        }
        let clients = sortedClients ?? []
        var start = 0
        if let cursor {
            // First client whose key is not before the cursor's.
            var low = 0, high = clients.count
            while low < high {
                let mid = (low + high) / 2
                if clients[mid].key.lexicographicallyPrecedes(cursor.clientKey) { low = mid + 1 } else { high = mid }
            }
            start = low
        }
        var out: [LeaseRecord] = []
        for entry in clients[start...] {
            guard let leases = records[entry.client]?.leases else { continue }
            for lease in leases where filter.matches(lease) {
                let record = LeaseRecord(client: entry.client, lease: lease)
                if let cursor, !cursor.precedes(record) { continue }
                if out.count == limit { return LeasePage(records: out, next: out.last.map(LeaseCursor.init(after:))) }
                out.append(record)
            }
        }
        return LeasePage(records: out, next: nil)
    }

    public nonisolated func changes(bufferSize: Int) -> LeaseChangeStream { broadcaster.subscribe(bufferSize: bufferSize) }

    public nonisolated func onExpiry(owner: String, _ handler: @escaping @Sendable (ExpiryNotice) async -> Void) {
        handlers.set(owner: owner, handler)
    }

    public func reclaimExpired(limit: Int, timeBudget: Duration) async throws(LeaseStoreError) -> ReclaimReport {
        let now = options.clock.now()
        let started = ContinuousClock.now
        var report = ReclaimReport()
        var notices: [ExpiryNotice] = []
        while let next = expiryQueue.min, next.at <= now {
            if report.expired + report.deleted >= limit || ContinuousClock.now - started > timeBudget {
                report.moreDue = true
                break
            }
            expiryQueue.removeMin()
            guard let record = records[next.client],
                let lease = record.leases.first(where: { $0.key == next.key }),
                lease.version == next.version, lease.expiresAt == next.at
            else { continue }  // stale entry: the lease changed since it was queued
            let (plan, expired) = CommitPlan.expiry(
                client: next.client, old: record.leases, due: [next.key], hold: options.expiredHoldTime,
                version: commitSequence + 1, now: now)
            commitSequence += 1
            apply(plan, to: next.client)
            for notice in expired {
                if notice.outcome == .expired { report.expired += 1 } else { report.deleted += 1 }
            }
            notices += expired
        }
        await handlers.deliver(notices)
        return report
    }

    private func apply(_ plan: CommitPlan, to client: ClientID) {
        for resource in plan.freed where holders[resource] == client { holders[resource] = nil }
        for resource in plan.claimed { holders[resource] = client }
        if plan.leases.isEmpty {
            if records.removeValue(forKey: client) != nil { sortedClients = nil }
        } else {
            if records[client] == nil { sortedClients = nil }
            records[client] = Record(version: commitSequence, leases: plan.leases)
        }
        for change in plan.changes where change.kind != .deleted {
            expiryQueue.insert(ExpiryEntry(at: change.lease.expiresAt, client: client, key: change.lease.key, version: change.lease.version))
        }
        broadcaster.publish(plan.changes)
    }
}
