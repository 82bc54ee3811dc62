public import LeaseStore
import Synchronization

/// A live copy of every lease, kept by following the store's change stream (rebuilt from
/// `page` at start and after the stream overflows), with per-pool counts by state. It feeds
/// `pools` and `subscribe` without reading the store per request, and consumes the stream on
/// its own task, so subscribers' sockets never hold up the store (and so the DHCP path).
///
/// Thread safety: all state is behind one lock; a change is applied and posted to every
/// subscriber's mailbox under it, so a snapshot taken under the lock and the changes posted
/// after it join without a gap or an overlap.
public final class LeaseIndex: Sendable {
    private struct State {
        var leases: [ClientID: [LeaseKey: Lease]] = [:]
        var counts: [String: [LeaseState: Int]] = [:]
        var subscribers: [ObjectIdentifier: SubscriberMailbox] = [:]
        /// The store sequence of the last change applied.
        var sequence: UInt64 = 0
    }

    private let store: any LeaseStore
    private let state = Mutex(State())
    private let follower = Mutex<Task<Void, Never>?>(nil)

    public init(store: any LeaseStore) {
        self.store = store
    }

    /// Subscribes to the store's changes, reads every lease, then follows the changes on a task
    /// of its own until `stop`. Returns once the index holds the store's state.
    public func start(bufferSize: Int = 4096) async throws(LeaseStoreError) {
        let changes = store.changes(bufferSize: bufferSize)
        try await rebuild()
        let task = Task { [weak self] in
            for await event in changes {
                guard let self else { return }
                switch event {
                case .change(let change): self.apply(change)
                case .overflow: await self.recoverFromOverflow()
                }
            }
        }
        follower.withLock { $0 = task }
    }

    public func stop() {
        follower.withLock { $0?.cancel() }
        let mailboxes = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for mailbox in mailboxes { mailbox.close() }
    }

    /// Every lease, in page order (client storage key, kind, IAID).
    public var records: [LeaseRecord] { state.withLock { Self.records(of: $0) } }

    /// The number of leases of `pool` in each state.
    public func counts(pool: String) -> [LeaseState: Int] { state.withLock { $0.counts[pool] ?? [:] } }

    /// Applies one committed change. Changes already reflected (the initial read raced them)
    /// are recognised by the lease version and skipped.
    func apply(_ change: LeaseChange) {
        state.withLock { state in
            state.sequence = max(state.sequence, change.sequence)
            let key = change.lease.key
            let current = state.leases[change.client]?[key]
            if let current, current.version > change.lease.version { return }
            if let current { Self.count(current, by: -1, in: &state) }
            if change.kind == .deleted {
                state.leases[change.client]?[key] = nil
                if state.leases[change.client]?.isEmpty == true { state.leases[change.client] = nil }
            } else {
                state.leases[change.client, default: [:]][key] = change.lease
                Self.count(change.lease, by: 1, in: &state)
            }
            let now = ContinuousClock.now
            for mailbox in state.subscribers.values { mailbox.post(change, now: now) }
        }
    }

    // MARK: Subscribers

    /// Registers a subscriber and returns the snapshot its changes continue from.
    func subscribe(capacity: Int, maxLag: Duration) -> (mailbox: SubscriberMailbox, snapshot: [LeaseRecord]) {
        let mailbox = SubscriberMailbox(capacity: capacity, maxLag: maxLag)
        let snapshot = state.withLock { state in
            state.subscribers[ObjectIdentifier(mailbox)] = mailbox
            return Self.records(of: state)
        }
        return (mailbox, snapshot)
    }

    /// A fresh snapshot for a subscriber that fell behind; its queue restarts after it.
    func resync(_ mailbox: SubscriberMailbox) -> [LeaseRecord] {
        state.withLock { state in
            mailbox.reset()
            return Self.records(of: state)
        }
    }

    func unsubscribe(_ mailbox: SubscriberMailbox) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: ObjectIdentifier(mailbox)) }
        mailbox.close()
    }

    // MARK: Rebuilding

    private func rebuild() async throws(LeaseStoreError) {
        let all = try await store.all()
        state.withLock { state in
            state.leases = [:]
            state.counts = [:]
            for record in all {
                state.leases[record.client, default: [:]][record.lease.key] = record.lease
                Self.count(record.lease, by: 1, in: &state)
            }
        }
    }

    /// The store dropped changes this index had not read: read everything again, and tell every
    /// subscriber to resync (the changes it would have seen are lost).
    private func recoverFromOverflow() async {
        for attempt in 0..<10 {
            do {
                try await rebuild()
                break
            } catch {
                try? await Task.sleep(for: .milliseconds(100 * (attempt + 1)))
            }
        }
        let mailboxes = state.withLock { Array($0.subscribers.values) }
        for mailbox in mailboxes { mailbox.markOverflowed() }
    }

    private static func count(_ lease: Lease, by delta: Int, in state: inout State) {
        state.counts[lease.pool ?? "", default: [:]][lease.state, default: 0] += delta
    }

    private static func records(of state: State) -> [LeaseRecord] {
        // Storage keys computed once per client, not once per comparison.
        state.leases.map { (key: $0.key.storageKey, client: $0.key, leases: $0.value) }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
            .flatMap { entry in
                entry.leases.sorted { $0.key < $1.key }.map { LeaseRecord(client: entry.client, lease: $0.value) }
            }
    }
}
