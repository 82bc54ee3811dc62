public import DHCPWire

/// Where a reply goes (RFC 2131 §4.1).
public enum ReplyDestination: Sendable, Equatable {
    /// Relayed: to the relay agent's giaddr, on the server port.
    case relay(IPv4Address)
    /// To a client that has an address (ciaddr), on the client port.
    case unicast(IPv4Address)
    /// To a client without an address yet: broadcast on the interface the request came in on.
    /// (Clients accept it: they listen with packet sockets until configured.)
    case broadcast

    /// RFC 2131 §4.1: giaddr → relay; NAK → broadcast; ciaddr → unicast; broadcast flag →
    /// broadcast; otherwise to yiaddr — which a UDP socket cannot reach before the client has
    /// the address without an ARP entry, so Lessor broadcasts on the receiving link instead.
    public static func route(request: DHCPv4Message, replyType: DHCPv4MessageType) -> ReplyDestination {
        if !request.giaddr.isUnspecified { return .relay(request.giaddr) }
        if replyType == .nak { return .broadcast }
        if !request.ciaddr.isUnspecified { return .unicast(request.ciaddr) }
        return .broadcast
    }
}
