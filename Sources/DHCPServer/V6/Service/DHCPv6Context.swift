public import DHCPWire
public import Foundation
public import LeaseStore

/// One identity association the client sent: IA_NA, IA_TA or IA_PD, its IAID and the addresses or
/// prefixes it named (hints in SOLICIT/REQUEST, its bindings in RENEW/REBIND/RELEASE/DECLINE).
public struct DHCPv6IA: Sendable, Equatable {
    public var kind: LeaseKind
    public var iaid: UInt32
    public var resources: [LeaseResource]

    public init(kind: LeaseKind, iaid: UInt32, resources: [LeaseResource] = []) {
        self.kind = kind
        self.iaid = iaid
        self.resources = resources
    }

    public var key: LeaseKey { LeaseKey(kind: kind, iaid: iaid) }

    /// The identity associations of a message, in the order they appear.
    static func all(in message: DHCPv6ClientServerMessage) throws(WireError) -> [DHCPv6IA] {
        var result: [DHCPv6IA] = []
        for option in message.options {
            switch option.code {
            case .iaNA:
                let ia = try option.decode(as: DHCPv6IANA.self)
                result.append(DHCPv6IA(kind: .iaNA, iaid: ia.iaid, resources: try ia.addresses.map { .ipv6($0.address) }))
            case .iaTA:
                let ia = try option.decode(as: DHCPv6IATA.self)
                result.append(DHCPv6IA(kind: .iaTA, iaid: ia.iaid, resources: try ia.addresses.map { .ipv6($0.address) }))
            case .iaPD:
                let ia = try option.decode(as: DHCPv6IAPD.self)
                result.append(DHCPv6IA(kind: .iaPD, iaid: ia.iaid, resources: try ia.prefixes.map { .prefix($0.prefix) }))
            default:
                continue
            }
        }
        return result
    }
}

/// What became of one IA: a lease with its timers, the addresses to withdraw (zero lifetimes), or a status.
public enum DHCPv6IAAnswer: Sendable, Equatable {
    /// Bound: the lease's elements go out with their remaining lifetimes; T1/T2 in seconds.
    case granted(Lease, t1: UInt32, t2: UInt32)
    /// The client's addresses or prefixes are not valid on this link: sent back with lifetimes 0
    /// (RFC 8415 §18.3.4, §18.3.5).
    case withdrawn([LeaseResource])
    /// A status for the IA (NoAddrsAvail, NoPrefixAvail, NoBinding, NotOnLink, Success).
    case status(DHCPv6StatusCode.Code, String)
}

/// One request on its way through the DHCPv6 plugin chain, and the reply being built.
public struct DHCPv6Context: Sendable {
    public let request: DHCPv6ClientServerMessage
    public let messageType: DHCPv6MessageType
    /// The client's key in the store: its DUID (nil only for an INFORMATION-REQUEST without one).
    public let client: ClientID?
    /// The relay layers the request came through, outermost first.
    public let relays: [DHCPv6RelayLayer]
    public let origin: PacketOrigin6
    /// The subnet the client's link belongs to; nil when none matched (only configuration options then).
    public let subnet: Subnet6Configuration?
    /// The subnet and the others on its shared network, in configuration order.
    public let link: [Subnet6Configuration]
    public let serverDUID: DUID
    public let now: Date
    /// The identity associations the client sent, in order.
    public let ias: [DHCPv6IA]
    /// The client's name from Client FQDN (39), stored on its leases.
    public let hostname: String?
    /// The client's MAC: RFC 6939 option 79 from the relay nearest the client, else the DUID's link-layer part.
    public let clientLinkLayerAddress: HardwareAddress?
    /// SOLICIT with Rapid Commit, allowed by the configuration: answered by a REPLY and committed.
    public let rapidCommit: Bool

    /// Options of the reply (plugins add configuration options here; IAs are built from `answers`).
    public var options = DHCPv6Options()
    /// Per IA outcome, set by the allocating plugins: the first to answer an IA satisfies it.
    public var answers: [LeaseKey: DHCPv6IAAnswer] = [:]
    /// Lifetimes reservations grant: built-in defaults until `lease_time` sets the subnet's.
    public var lifetimes: Lifetimes6
    public var temporaryLifetimes: Lifetimes6
    /// False to send nothing.
    public var replies = true
    /// Why a request got no reply, for the log.
    public var note: String?

    public init(
        request: DHCPv6ClientServerMessage, client: ClientID?, relays: [DHCPv6RelayLayer], origin: PacketOrigin6,
        subnet: Subnet6Configuration?, link: [Subnet6Configuration], serverDUID: DUID, now: Date, ias: [DHCPv6IA],
        hostname: String?, clientLinkLayerAddress: HardwareAddress?, rapidCommit: Bool
    ) {
        self.request = request
        messageType = request.messageType
        self.client = client
        self.relays = relays
        self.origin = origin
        self.subnet = subnet
        self.link = link
        self.serverDUID = serverDUID
        self.now = now
        self.ias = ias
        self.hostname = hostname
        self.clientLinkLayerAddress = clientLinkLayerAddress
        self.rapidCommit = rapidCommit
        lifetimes = Lifetimes6(preferred: .seconds(3600), valid: .seconds(7200))
        temporaryLifetimes = Lifetimes6(preferred: .seconds(1800), valid: .seconds(3600))
    }

    /// The IAs of `kind` no earlier plugin has answered.
    public func unanswered(_ kind: LeaseKind) -> [DHCPv6IA] {
        ias.filter { $0.kind == kind && answers[$0.key] == nil }
    }

    /// Whether the client asked for `code` in its ORO. A client without an ORO gets what the server
    /// is configured to send (RFC 8415 §21.7 lets a server send options it was not asked for).
    public func wants(_ code: DHCPv6OptionCode) -> Bool {
        guard let oro = try? request.oro else { return true }
        return oro.contains(code)
    }

    /// Whether the reply commits (REPLY) rather than offers (ADVERTISE).
    public var commits: Bool { messageType != .solicit || rapidCommit }

    /// T1 and T2 in seconds: configured, else 0.5 and 0.8 of the preferred lifetime (RFC 8415 §21.4).
    public static func timers(_ lifetimes: Lifetimes6) -> (t1: UInt32, t2: UInt32) {
        let preferred = lifetimes.preferred
        let t1 = lifetimes.renewal ?? preferred / 2
        let t2 = lifetimes.rebinding ?? preferred * 4 / 5
        return (seconds(t1), seconds(t2))
    }

    static func seconds(_ duration: Duration) -> UInt32 {
        let value = duration.components.seconds
        return value <= 0 ? 0 : UInt32(min(value, Int64(UInt32.max - 1)))
    }
}

/// One entry of the DHCPv6 chain (DESIGN.md §4). Plugins run in configuration order; each may add
/// options, answer IAs not yet answered, stop the chain or drop the request.
public protocol DHCPv6Plugin: Sendable {
    var name: String { get }
    func handle(_ context: inout DHCPv6Context) async throws -> PluginVerdict
}
