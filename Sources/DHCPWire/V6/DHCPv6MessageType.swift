/// A DHCPv6 msg-type (RFC 8415 §7.3). Types defined after RFC 8415 (LEASEQUERY and later) are kept
/// as `.other` with their number, so a server can log and drop them without losing the value.
public enum DHCPv6MessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    case solicit
    case advertise
    case request
    case confirm
    case renew
    case rebind
    case reply
    case release
    case decline
    case reconfigure
    case informationRequest
    case relayForward
    case relayReply
    case other(UInt8)

    /// Known numbers always map to their named case, so `.other(1)` never comes out of parsing.
    public init(rawValue: UInt8) {
        switch rawValue {
        case 1: self = .solicit
        case 2: self = .advertise
        case 3: self = .request
        case 4: self = .confirm
        case 5: self = .renew
        case 6: self = .rebind
        case 7: self = .reply
        case 8: self = .release
        case 9: self = .decline
        case 10: self = .reconfigure
        case 11: self = .informationRequest
        case 12: self = .relayForward
        case 13: self = .relayReply
        default: self = .other(rawValue)
        }
    }

    public var rawValue: UInt8 {
        switch self {
        case .solicit: 1
        case .advertise: 2
        case .request: 3
        case .confirm: 4
        case .renew: 5
        case .rebind: 6
        case .reply: 7
        case .release: 8
        case .decline: 9
        case .reconfigure: 10
        case .informationRequest: 11
        case .relayForward: 12
        case .relayReply: 13
        case .other(let value): value
        }
    }

    /// RELAY-FORW and RELAY-REPL use the relay-agent layout (hop-count, link- and peer-address).
    public var isRelay: Bool { self == .relayForward || self == .relayReply }

    /// The RFC name ("SOLICIT", "RELAY-FORW"), or "type N" for numbers this codec does not name.
    public var description: String {
        switch self {
        case .solicit: "SOLICIT"
        case .advertise: "ADVERTISE"
        case .request: "REQUEST"
        case .confirm: "CONFIRM"
        case .renew: "RENEW"
        case .rebind: "REBIND"
        case .reply: "REPLY"
        case .release: "RELEASE"
        case .decline: "DECLINE"
        case .reconfigure: "RECONFIGURE"
        case .informationRequest: "INFORMATION-REQUEST"
        case .relayForward: "RELAY-FORW"
        case .relayReply: "RELAY-REPL"
        case .other(let value): "type \(value)"
        }
    }

    // Equality on the number, so a hand-made `.other(3)` equals `.request`.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}
