import DHCPWire

/// Picks the subnet a request belongs to (RFC 2131 §4.3.1, RFC 3527, RFC 3011): the link
/// selection sub-option of option 82, then option 118, then the relay's giaddr, then the
/// interface it arrived on. A subnet's shared network brings its sibling subnets along.
struct SubnetSelector: Sendable {
    let subnets: [SubnetConfiguration]

    func select(_ request: DHCPv4Message, origin: PacketOrigin) -> SubnetConfiguration? {
        if let agent = try? request.options.get(.relayAgentInformation),
            let link = try? agent.get(.linkSelection), let subnet = containing(link)
        {
            return subnet
        }
        if let selection = try? request.options.get(.subnetSelection), !selection.isUnspecified {
            return containing(selection)
        }
        if !request.giaddr.isUnspecified { return containing(request.giaddr) }
        if let interface = origin.interface, let subnet = subnets.first(where: { $0.interface == interface }) {
            return subnet
        }
        if let local = origin.localAddress, let subnet = containing(local) { return subnet }
        // A server with one subnet and no interface binding serves it to whoever asks directly.
        return subnets.count == 1 && subnets[0].interface == nil ? subnets[0] : nil
    }

    /// The subnet and the others on its shared network.
    func link(of subnet: SubnetConfiguration) -> [SubnetConfiguration] {
        guard let shared = subnet.sharedNetwork else { return [subnet] }
        return [subnet] + subnets.filter { $0.sharedNetwork == shared && $0.name != subnet.name }
    }

    func containing(_ address: IPv4Address) -> SubnetConfiguration? { subnets.first { $0.subnet.contains(address) } }
}
