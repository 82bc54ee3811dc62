/// Option 53, the DHCP message type (RFC 2131 §3.1, RFC 3203 FORCERENEW, RFC 4388 leasequery). Numbers this
/// codec does not name are kept as `.other`, so a server can log and drop them without losing the value.
public enum DHCPv4MessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    case discover
    case offer
    case request
    case decline
    case ack
    case nak
    case release
    case inform
    case forceRenew
    case leaseQuery
    case leaseUnassigned
    case leaseUnknown
    case leaseActive
    case other(UInt8)

    private static let named: [DHCPv4MessageType] = [
        .discover, .offer, .request, .decline, .ack, .nak, .release, .inform,
        .forceRenew, .leaseQuery, .leaseUnassigned, .leaseUnknown, .leaseActive,
    ]

    /// Known numbers always map to their named case, so `.other(1)` never comes out of parsing.
    public init(rawValue: UInt8) {
        let index = Int(rawValue) - 1
        self = Self.named.indices.contains(index) ? Self.named[index] : .other(rawValue)
    }

    public var rawValue: UInt8 {
        switch self {
        case .discover: 1
        case .offer: 2
        case .request: 3
        case .decline: 4
        case .ack: 5
        case .nak: 6
        case .release: 7
        case .inform: 8
        case .forceRenew: 9
        case .leaseQuery: 10
        case .leaseUnassigned: 11
        case .leaseUnknown: 12
        case .leaseActive: 13
        case .other(let value): value
        }
    }

    /// The RFC name without its "DHCP" prefix ("DISCOVER", "ACK"), or "type N" for numbers not named here.
    public var description: String {
        switch self {
        case .discover: "DISCOVER"
        case .offer: "OFFER"
        case .request: "REQUEST"
        case .decline: "DECLINE"
        case .ack: "ACK"
        case .nak: "NAK"
        case .release: "RELEASE"
        case .inform: "INFORM"
        case .forceRenew: "FORCERENEW"
        case .leaseQuery: "LEASEQUERY"
        case .leaseUnassigned: "LEASEUNASSIGNED"
        case .leaseUnknown: "LEASEUNKNOWN"
        case .leaseActive: "LEASEACTIVE"
        case .other(let value): "type \(value)"
        }
    }
}

extension DHCPv4MessageType: DHCPv4WireValue {
    static func decode(_ reader: inout WireReader, origin _: DHCPv4Option.Origin?) throws(WireError) -> Self {
        Self(rawValue: try reader.readUInt8(""))
    }

    var encoded: [UInt8] { [rawValue] }
}

/// The BOOTP op field: 1 for messages from clients and relays, 2 for server replies.
public struct DHCPv4OpCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bootRequest = DHCPv4OpCode(rawValue: 1)
    public static let bootReply = DHCPv4OpCode(rawValue: 2)

    public var description: String {
        switch rawValue {
        case 1: "BOOTREQUEST"
        case 2: "BOOTREPLY"
        default: "op \(rawValue)"
        }
    }
}
