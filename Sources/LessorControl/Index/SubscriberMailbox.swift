import LeaseStore
import Synchronization

/// One subscriber's bounded queue of changes between the index and its socket. The index posts
/// without ever waiting; the subscriber's writer takes what accumulated. A subscriber whose
/// queue fills up, or whose oldest queued change has waited longer than `maxLag` (its socket
/// stopped taking data), loses the queue and is told to resync from a fresh snapshot.
final class SubscriberMailbox: Sendable {
    enum Delivery: Sendable, Equatable {
        case changes([LeaseChange])
        /// Changes were dropped: send a fresh snapshot (`LeaseIndex.resync`).
        case resync
    }

    private struct State {
        var buffer: [LeaseChange] = []
        var oldest: ContinuousClock.Instant?
        var overflowed = false
        var closed = false
        var waiter: CheckedContinuation<Delivery?, Never>?
    }

    let capacity: Int
    let maxLag: Duration
    private let state = Mutex(State())

    init(capacity: Int, maxLag: Duration) {
        self.capacity = max(1, capacity)
        self.maxLag = maxLag
    }

    /// Queues one change (called by the index, under its lock, in commit order).
    func post(_ change: LeaseChange, now: ContinuousClock.Instant = .now) {
        let wake: (CheckedContinuation<Delivery?, Never>, Delivery)? = state.withLock { state in
            guard !state.closed, !state.overflowed else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, .changes([change]))
            }
            let lagging = state.oldest.map { now - $0 > maxLag } ?? false
            if state.buffer.count >= capacity || lagging {
                state.buffer.removeAll()
                state.oldest = nil
                state.overflowed = true
                return nil
            }
            if state.buffer.isEmpty { state.oldest = now }
            state.buffer.append(change)
            return nil
        }
        if let (waiter, delivery) = wake { waiter.resume(returning: delivery) }
    }

    /// The index could not follow the store: whatever this subscriber has is stale.
    func markOverflowed() {
        let waiter: CheckedContinuation<Delivery?, Never>? = state.withLock { state in
            guard !state.closed else { return nil }
            state.buffer.removeAll()
            state.oldest = nil
            state.overflowed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: .resync)
    }

    /// Forgets everything queued (a snapshot covering it was just taken, under the index's lock).
    func reset() {
        state.withLock { state in
            state.buffer.removeAll()
            state.oldest = nil
            state.overflowed = false
        }
    }

    /// Waits for queued changes (all of them, in order) or a resync; nil once closed or cancelled.
    func take() async -> Delivery? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Delivery?, Never>) in
                let ready: Delivery?? = state.withLock { state in
                    if state.closed || Task.isCancelled { return .some(nil) }
                    if state.overflowed { return .some(.resync) }
                    if !state.buffer.isEmpty {
                        defer {
                            state.buffer.removeAll()
                            state.oldest = nil
                        }
                        return .some(.changes(state.buffer))
                    }
                    state.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            close()
        }
    }

    func close() {
        let waiter = state.withLock { state in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }
}
