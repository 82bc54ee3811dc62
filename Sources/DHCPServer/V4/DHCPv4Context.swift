public import DHCPWire
public import Foundation
public import LeaseStore

/// Where a request came from, as the transport saw it.
public struct PacketOrigin: Sendable, Equatable {
    /// The interface it arrived on (IP_PKTINFO / the bound device); nil for address-bound sockets.
    public var interface: String?
    /// The local address it was received on (the interface's address, or the bound address).
    public var localAddress: IPv4Address?
    public var sourceAddress: IPv4Address
    public var sourcePort: UInt16

    public init(interface: String?, localAddress: IPv4Address?, sourceAddress: IPv4Address, sourcePort: UInt16) {
        self.interface = interface
        self.localAddress = localAddress
        self.sourceAddress = sourceAddress
        self.sourcePort = sourcePort
    }
}

/// One request on its way through the plugin chain, and the reply being built.
public struct DHCPv4Context: Sendable {
    public let request: DHCPv4Message
    public let messageType: DHCPv4MessageType
    public let client: ClientID
    public let origin: PacketOrigin
    /// The subnet the request belongs to (RFC 2131 §4.3.1 / RFC 3527 selection).
    public let subnet: SubnetConfiguration
    /// The subnet and the others on its shared network, in configuration order.
    public let link: [SubnetConfiguration]
    /// This server's identifier on the subnet (option 54).
    public let serverID: IPv4Address
    public let now: Date

    /// The reply: plugins add options; allocators set `yiaddr` and `replyType`.
    public var reply: DHCPv4Message
    /// OFFER, ACK or NAK; nil means no reply is sent.
    public var replyType: DHCPv4MessageType?
    /// The lease time allocators grant (set by `lease_time`).
    public var leaseTime: Duration
    /// Set once an allocator has dealt with the request, so later ones leave it alone.
    public var handled = false
    /// Why a NAK or silence was chosen, for the log.
    public var note: String?

    public init(
        request: DHCPv4Message, messageType: DHCPv4MessageType, client: ClientID, origin: PacketOrigin,
        subnet: SubnetConfiguration, link: [SubnetConfiguration], serverID: IPv4Address, now: Date, leaseTime: Duration
    ) {
        self.request = request
        self.messageType = messageType
        self.client = client
        self.origin = origin
        self.subnet = subnet
        self.link = link
        self.serverID = serverID
        self.now = now
        self.leaseTime = leaseTime
        reply = DHCPv4Message(op: .bootReply, xid: request.xid, chaddr: request.chaddr, flags: request.flags, giaddr: request.giaddr)
    }

    /// The address the client asks for: option 50, or ciaddr when renewing or rebinding.
    public var requestedAddress: IPv4Address? {
        if let requested = try? request.requestedAddress, !requested.isUnspecified { return requested }
        return request.ciaddr.isUnspecified ? nil : request.ciaddr
    }

    /// The hostname the client sent (option 12), if printable.
    public var hostname: String? {
        guard let name = try? request.options.get(.hostName), !name.isEmpty else { return nil }
        return name
    }

    /// Grants `address`: the reply becomes an OFFER (to a DISCOVER) or an ACK.
    public mutating func grant(_ address: IPv4Address) {
        reply.yiaddr = address
        replyType = messageType == .discover ? .offer : .ack
        handled = true
    }

    /// Refuses the request with a NAK.
    public mutating func refuse(_ why: String) {
        replyType = .nak
        note = why
        handled = true
    }

    /// Answers nothing (the client will retry or another server answers).
    public mutating func ignore(_ why: String) {
        replyType = nil
        note = why
        handled = true
    }
}

/// What a plugin tells the chain.
public enum PluginVerdict: Sendable, Equatable {
    /// Run the next plugin.
    case `continue`
    /// Stop the chain and send the reply as it stands.
    case stop
    /// Stop and send nothing.
    case drop
}

/// One entry of the DHCPv4 chain (DESIGN.md §4). Plugins run in configuration order; each may
/// change the reply, stop the chain or drop the request.
public protocol DHCPv4Plugin: Sendable {
    var name: String { get }
    func handle(_ context: inout DHCPv4Context) async throws -> PluginVerdict
}
