import DHCPWire

/// Picks the subnet of a DHCPv6 client's link (RFC 8415 §13.1): the link-address of the innermost
/// relay that set one, else the interface the message arrived on, else the local address it was sent
/// to. A subnet's shared network brings its sibling subnets along.
struct SubnetSelector6: Sendable {
    let subnets: [Subnet6Configuration]

    func select(relays: [DHCPv6RelayLayer], origin: PacketOrigin6) -> Subnet6Configuration? {
        if let link = relays.last(where: { $0.linkAddress != .unspecified })?.linkAddress {
            return containing(link)
        }
        if let interface = origin.interface, let subnet = subnets.first(where: { $0.interface == interface }) {
            return subnet
        }
        if let local = origin.destination, !local.isMulticast, let subnet = containing(local) { return subnet }
        // A server with one subnet and no interface binding serves it to whoever asks directly.
        return subnets.count == 1 && subnets[0].interface == nil ? subnets[0] : nil
    }

    /// The subnet and the others on its shared network.
    func link(of subnet: Subnet6Configuration) -> [Subnet6Configuration] {
        guard let shared = subnet.sharedNetwork else { return [subnet] }
        return [subnet] + subnets.filter { $0.sharedNetwork == shared && $0.name != subnet.name }
    }

    func containing(_ address: IPv6Address) -> Subnet6Configuration? { subnets.first { $0.prefix.contains(address) } }
}
