import DequeModule
import Synchronization

/// Fans committed changes out to subscribers. Publishing never waits for a subscriber: each
/// has a bounded buffer, and one that falls behind loses its buffer and gets `.overflow`
/// (it re-reads a snapshot), so a slow dashboard can never slow the DHCP path.
package final class ChangeBroadcaster: Sendable {
    fileprivate struct Subscriber {
        var buffer: Deque<LeaseChange> = []
        var capacity: Int
        var overflowed = false
        var waiter: CheckedContinuation<LeaseChangeEvent?, Never>?
    }

    fileprivate struct State {
        var nextSequence: UInt64 = 1
        var nextSubscriber = 0
        var subscribers: [Int: Subscriber] = [:]
        var finished = false
    }

    fileprivate let state = Mutex(State())

    package init() {}

    /// Assigns sequence numbers and delivers `changes` (one commit's, in order).
    package func publish(_ changes: [LeaseChange]) {
        guard !changes.isEmpty else { return }
        var wakeups: [(CheckedContinuation<LeaseChangeEvent?, Never>, LeaseChangeEvent)] = []
        state.withLock { state in
            for var change in changes {
                change.sequence = state.nextSequence
                state.nextSequence += 1
                for id in state.subscribers.keys {
                    guard var subscriber = state.subscribers[id] else { continue }
                    if let waiter = subscriber.waiter {
                        subscriber.waiter = nil
                        wakeups.append((waiter, .change(change)))
                    } else if subscriber.overflowed {
                        // Already behind: it will re-read a snapshot that includes this change.
                    } else if subscriber.buffer.count >= subscriber.capacity {
                        subscriber.buffer.removeAll()
                        subscriber.overflowed = true
                    } else {
                        subscriber.buffer.append(change)
                    }
                    state.subscribers[id] = subscriber
                }
            }
        }
        for (waiter, event) in wakeups { waiter.resume(returning: event) }
    }

    package func subscribe(bufferSize: Int) -> LeaseChangeStream {
        let id = state.withLock { state in
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[id] = Subscriber(capacity: max(1, bufferSize))
            return id
        }
        return LeaseChangeStream(subscription: Subscription(broadcaster: self, id: id))
    }

    /// Ends every subscription (the store is closing).
    package func finish() {
        let waiters = state.withLock { state in
            state.finished = true
            let waiters = state.subscribers.values.compactMap(\.waiter)
            state.subscribers.removeAll()
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }


    fileprivate func next(_ id: Int) async -> LeaseChangeEvent? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<LeaseChangeEvent?, Never>) in
                let ready: LeaseChangeEvent?? = state.withLock { state in
                    guard var subscriber = state.subscribers[id], !Task.isCancelled else { return .some(nil) }
                    defer { state.subscribers[id] = subscriber }
                    if subscriber.overflowed {
                        subscriber.overflowed = false
                        return .some(.overflow)
                    }
                    if let change = subscriber.buffer.popFirst() { return .some(.change(change)) }
                    subscriber.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            cancel(id)
        }
    }

    fileprivate func cancel(_ id: Int) {
        let waiter = state.withLock { $0.subscribers.removeValue(forKey: id)?.waiter }
        waiter?.resume(returning: nil)
    }
}

/// Ends its subscription when the last iterator referring to it goes away.
fileprivate final class Subscription: Sendable {
    let broadcaster: ChangeBroadcaster
    let id: Int

    init(broadcaster: ChangeBroadcaster, id: Int) {
        self.broadcaster = broadcaster
        self.id = id
    }

    deinit { broadcaster.cancel(id) }
}

/// The change stream of a store: `for await event in store.changes() { … }`.
public struct LeaseChangeStream: AsyncSequence, Sendable {
    public typealias Element = LeaseChangeEvent
    fileprivate let subscription: Subscription

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let subscription: Subscription

        public mutating func next() async -> LeaseChangeEvent? {
            await subscription.broadcaster.next(subscription.id)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(subscription: subscription) }
}
