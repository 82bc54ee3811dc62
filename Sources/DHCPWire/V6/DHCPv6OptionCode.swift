/// A DHCPv6 option code (RFC 8415 §21 and the RFCs that add options). A struct rather than an
/// enum because unknown codes are ordinary and must pass through unchanged.
public struct DHCPv6OptionCode: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    public var rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt16) { self.rawValue = value }

    public static let clientID: Self = 1
    public static let serverID: Self = 2
    public static let iaNA: Self = 3
    public static let iaTA: Self = 4
    public static let iaAddress: Self = 5
    public static let optionRequest: Self = 6
    public static let preference: Self = 7
    public static let elapsedTime: Self = 8
    public static let relayMessage: Self = 9
    public static let authentication: Self = 11
    public static let serverUnicast: Self = 12
    public static let statusCode: Self = 13
    public static let rapidCommit: Self = 14
    public static let userClass: Self = 15
    public static let vendorClass: Self = 16
    public static let vendorOptions: Self = 17
    public static let interfaceID: Self = 18
    public static let reconfigureMessage: Self = 19
    public static let reconfigureAccept: Self = 20
    public static let dnsServers: Self = 23
    public static let domainSearchList: Self = 24
    public static let iaPD: Self = 25
    public static let iaPrefix: Self = 26
    public static let informationRefreshTime: Self = 32
    public static let remoteID: Self = 37
    public static let clientFQDN: Self = 39
    public static let echoRequest: Self = 43
    public static let clientLinkLayerAddress: Self = 79
    public static let solMaxRT: Self = 82
    public static let infMaxRT: Self = 83

    /// The IANA registry name ("IA_NA", "OPTION_SOL_MAX_RT" shortened to "SOL_MAX_RT"), if this codec knows it.
    public var name: String? {
        switch rawValue {
        case 1: "CLIENTID"
        case 2: "SERVERID"
        case 3: "IA_NA"
        case 4: "IA_TA"
        case 5: "IAADDR"
        case 6: "ORO"
        case 7: "PREFERENCE"
        case 8: "ELAPSED_TIME"
        case 9: "RELAY_MSG"
        case 11: "AUTH"
        case 12: "UNICAST"
        case 13: "STATUS_CODE"
        case 14: "RAPID_COMMIT"
        case 15: "USER_CLASS"
        case 16: "VENDOR_CLASS"
        case 17: "VENDOR_OPTS"
        case 18: "INTERFACE_ID"
        case 19: "RECONF_MSG"
        case 20: "RECONF_ACCEPT"
        case 23: "DNS_SERVERS"
        case 24: "DOMAIN_LIST"
        case 25: "IA_PD"
        case 26: "IAPREFIX"
        case 32: "INFORMATION_REFRESH_TIME"
        case 37: "REMOTE_ID"
        case 39: "CLIENT_FQDN"
        case 43: "ERO"
        case 79: "CLIENT_LINKLAYER_ADDR"
        case 82: "SOL_MAX_RT"
        case 83: "INF_MAX_RT"
        default: nil
        }
    }

    /// "option 3 (IA_NA)", or "option 300" for an unnamed code; used as the field in wire errors.
    public var description: String {
        if let name { return "option \(rawValue) (\(name))" }
        return "option \(rawValue)"
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
