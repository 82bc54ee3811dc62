public import LeaseStore
import Synchronization

/// Wraps a real store and makes chosen calls fail with a chosen error before reaching it:
/// how tests exercise the retry paths of `transact` (a real SQLite file rarely times out on
/// demand). Everything else passes through to the real provider.
public final class FaultInjectingLeaseStore: LeaseStore {
    public enum Call: Hashable, Sendable { case lookup, update }

    private let base: any LeaseStore
    private let plan = Mutex<[Call: [LeaseStoreError]]>([:])
    private let counts = Mutex<[Call: Int]>([:])

    public init(_ base: any LeaseStore) { self.base = base }

    /// The next calls of `call` throw these errors, one each, in order.
    public func fail(_ call: Call, with errors: [LeaseStoreError]) { plan.withLock { $0[call, default: []] += errors } }

    /// How many times `call` reached this wrapper.
    public func count(_ call: Call) -> Int { counts.withLock { $0[call] ?? 0 } }

    private func inject(_ call: Call) throws(LeaseStoreError) {
        counts.withLock { $0[call, default: 0] += 1 }
        let error: LeaseStoreError? = plan.withLock { plan in plan[call]?.isEmpty == false ? plan[call]?.removeFirst() : nil }
        if let error { throw error }
    }

    public var providerName: String { "faulty-\(base.providerName)" }

    public func lookup(_ client: ClientID) async throws(LeaseStoreError) -> LeaseLookup {
        try inject(.lookup)
        return try await base.lookup(client)
    }

    public func update(_ client: ClientID, leases: [Lease], token: LeaseToken, writer: String) async throws(LeaseStoreError) -> [Lease] {
        try inject(.update)
        return try await base.update(client, leases: leases, token: token, writer: writer)
    }

    public func releaseToken(_ token: LeaseToken) async { await base.releaseToken(token) }
    public func read(_ client: ClientID) async throws(LeaseStoreError) -> [Lease] { try await base.read(client) }
    public func holder(of resource: LeaseResource) async throws(LeaseStoreError) -> LeaseRecord? { try await base.holder(of: resource) }
    public func page(after cursor: LeaseCursor?, limit: Int, filter: LeaseFilter) async throws(LeaseStoreError) -> LeasePage {
        try await base.page(after: cursor, limit: limit, filter: filter)
    }
    public func changes(bufferSize: Int) -> LeaseChangeStream { base.changes(bufferSize: bufferSize) }
    public func onExpiry(owner: String, _ handler: @escaping @Sendable (ExpiryNotice) async -> Void) { base.onExpiry(owner: owner, handler) }
    public func reclaimExpired(limit: Int, timeBudget: Duration) async throws(LeaseStoreError) -> ReclaimReport {
        try await base.reclaimExpired(limit: limit, timeBudget: timeBudget)
    }
}
