/// Permission to write one client once, handed out by `lookup`. Opaque to consumers; what it
/// means is the provider's (a version for memory and SQLite, an open transaction for
/// PostgreSQL). Single use, and it expires after the store's token timeout.
public struct LeaseToken: Hashable, Sendable, CustomStringConvertible {
    public let client: ClientID
    /// Identifies the store instance that issued it.
    package let store: UInt64
    /// Unique per store instance.
    package let id: UInt64
    /// The client's version when looked up (0: the client had no leases).
    package let version: UInt64

    package init(client: ClientID, store: UInt64, id: UInt64, version: UInt64) {
        self.client = client
        self.store = store
        self.id = id
        self.version = version
    }

    public var description: String { "token#\(id)(\(client)@\(version))" }
}
