import Synchronization

/// The owners' expiry callbacks, shared by providers.
package final class ExpiryHandlers: Sendable {
    private let handlers = Mutex<[String: @Sendable (ExpiryNotice) async -> Void]>([:])

    package init() {}

    package func set(owner: String, _ handler: @escaping @Sendable (ExpiryNotice) async -> Void) {
        handlers.withLock { $0[owner] = handler }
    }

    /// Calls each notice's owner handler, in order, after the reclaim committed.
    package func deliver(_ notices: [ExpiryNotice]) async {
        for notice in notices {
            let handler = handlers.withLock { $0[notice.lease.owner] }
            await handler?(notice)
        }
    }
}
