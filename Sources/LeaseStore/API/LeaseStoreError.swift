/// The one error type of the storage API. Its `kind` tells the consumer what to do next;
/// two errors are equal when their kinds are, so tests can compare them.
public struct LeaseStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The backend could not be reached or timed out. The token is still valid: retry the
        /// same call after a backoff.
        case transport
        /// Someone else changed the client since the lookup (or the token expired or was used).
        /// The token is dead: start again from `lookup`.
        case conflict
        /// The address or prefix is held by another client: mark it taken and pick another.
        case addressInUse(LeaseResource)
        /// The token does not belong to this store or this client: a programming error.
        case invalidToken
        /// The leases passed in break a rule (shape, ownership): a programming or input error.
        case invalidArgument
        /// The store cannot serve at all (corrupt file, schema mismatch). Stop serving.
        case unavailable
    }

    public var kind: Kind
    public var message: String
    public var file: String
    public var line: Int

    public init(_ kind: Kind, _ message: String, file: String = #fileID, line: Int = #line) {
        self.kind = kind
        self.message = message
        self.file = file
        self.line = line
    }

    public static func transport(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.transport, message, file: file, line: line)
    }
    public static func conflict(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.conflict, message, file: file, line: line)
    }
    public static func addressInUse(_ resource: LeaseResource, file: String = #fileID, line: Int = #line) -> Self {
        Self(.addressInUse(resource), "\(resource) is held by another client", file: file, line: line)
    }
    public static func invalidToken(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.invalidToken, message, file: file, line: line)
    }
    public static func invalidArgument(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.invalidArgument, message, file: file, line: line)
    }
    public static func unavailable(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.unavailable, message, file: file, line: line)
    }

    /// Whether retrying the same call may succeed.
    public var isRetryable: Bool { kind == .transport }

    public var description: String {
        let name: String = switch kind {
        case .transport: "transport"
        case .conflict: "conflict"
        case .addressInUse: "address in use"
        case .invalidToken: "invalid token"
        case .invalidArgument: "invalid argument"
        case .unavailable: "unavailable"
        }
        return "\(name): \(message)"
    }

    /// Where the error was raised, for logs.
    public var detailedDescription: String { "\(description) [\(file):\(line)]" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.kind == rhs.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }
}
