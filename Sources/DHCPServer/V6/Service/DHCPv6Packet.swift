public import DHCPWire

/// Where a DHCPv6 datagram came from, as the transport saw it.
public struct PacketOrigin6: Sendable, Equatable {
    /// The receiving interface (IPV6_PKTINFO, or the one the socket is bound to).
    public var interface: String?
    public var interfaceIndex: Int?
    /// The local address it was sent to (ff02::1:2 for a client's multicast, a unicast address for relays).
    public var destination: IPv6Address?
    public var sourceAddress: IPv6Address
    public var sourcePort: UInt16

    public init(interface: String?, interfaceIndex: Int? = nil, destination: IPv6Address?, sourceAddress: IPv6Address, sourcePort: UInt16) {
        self.interface = interface
        self.interfaceIndex = interfaceIndex
        self.destination = destination
        self.sourceAddress = sourceAddress
        self.sourcePort = sourcePort
    }
}

/// Where a DHCPv6 reply goes (RFC 8415 §18.3.x / §19): to the client's link-local source on
/// the client port, or — for a relayed message — as a Relay-Reply to the relay that sent the
/// outermost Relay-Forward, on the server port.
public enum ReplyDestination6: Sendable, Equatable {
    case client(IPv6Address, port: UInt16, interfaceIndex: Int?)
    case relay(IPv6Address, port: UInt16, interfaceIndex: Int?)
}

/// The service's answer to one datagram: the bytes to send and where.
public struct DHCPv6Reply: Sendable, Equatable {
    public var bytes: [UInt8]
    public var message: DHCPv6Message
    public var destination: ReplyDestination6

    public init(bytes: [UInt8], message: DHCPv6Message, destination: ReplyDestination6) {
        self.bytes = bytes
        self.message = message
        self.destination = destination
    }
}
