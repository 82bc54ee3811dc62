public import Allocation

/// Builds the ordered DHCPv4 chain from its configuration entries. Explicit: no global
/// registry, so an unknown name is a configuration error caught at load time, not a panic.
public enum DHCPv4PluginChain {
    public struct BuildError: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Parameters:
    ///   - allocator: backs `range`.
    ///   - poolsBySubnet: subnet name → names of the allocator's pools for it.
    ///   - reservations: backs `static` (required when the chain has it).
    public static func build(
        _ entries: [PluginConfiguration], configuration: DHCPv4Configuration, allocator: IPv4Allocator,
        poolsBySubnet: [String: [String]], reservations: (any DHCPv4Plugin)?
    ) throws -> [any DHCPv4Plugin] {
        try entries.map { entry -> any DHCPv4Plugin in
            switch entry.name {
            case .serverID: ServerIDPlugin()
            case .leaseTime: LeaseTimePlugin()
            case .netmask: NetmaskPlugin()
            case .router: RouterPlugin()
            case .dns: DNSPlugin()
            case .domainSearch: DomainSearchPlugin()
            case .mtu: MTUPlugin()
            case .classlessRoutes: ClasslessRoutesPlugin()
            case .nbp: NetworkBootPlugin()
            case .option: GenericOptionPlugin(options: entry.options)
            case .sleep: SleepPlugin(delay: entry.delay ?? .zero)
            case .range:
                RangePlugin(
                    allocator: allocator, poolsBySubnet: poolsBySubnet, offerHold: configuration.offerHold,
                    declineQuarantine: configuration.declineQuarantine, authoritative: configuration.authoritative)
            case .static:
                try reservations ?? { throw BuildError(description: "\(entry.location): static needs a reservations file") }()
            }
        }
    }
}
