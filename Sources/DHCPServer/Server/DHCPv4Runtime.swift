import Allocation
import DHCPWire
import LeaseStore
import Logging

/// What one DHCPv4 configuration turns into: the allocator, the plugin chain and the
/// service. Rebuilt on SIGHUP; the sockets stay.
struct DHCPv4Runtime: Sendable {
    let service: DHCPv4Service
    let allocator: IPv4Allocator
    let reservations: ReservationTable?
    /// Every pool, as the control socket's `pools` lists it.
    let pools: [PoolDefinition]

    struct PoolDefinition: Sendable {
        var name: String
        var subnet: SubnetConfiguration
        var range: IPv4Range
    }

    static func build(
        _ configuration: DHCPv4Configuration, store: any LeaseStore, counters: ServerCounters, logger: Logger
    ) async throws -> DHCPv4Runtime {
        var specs: [IPv4Allocator.PoolSpec] = []
        var definitions: [PoolDefinition] = []
        var poolsBySubnet: [String: [String]] = [:]
        for subnet in configuration.subnets {
            for (index, range) in subnet.pools.enumerated() {
                let name = subnet.pools.count == 1 ? subnet.name : "\(subnet.name)#\(index + 1)"
                specs.append(.init(name: name, first: range.first, last: range.last))
                definitions.append(PoolDefinition(name: name, subnet: subnet, range: range))
                poolsBySubnet[subnet.name, default: []].append(name)
            }
        }
        var reservations: ReservationTable?
        var staticPlugin: (any DHCPv4Plugin)?
        if let entry = configuration.plugins.first(where: { $0.name == .static }), let file = entry.file {
            let table = try ReservationTable(path: file, subnets: configuration.subnets, logger: logger)
            reservations = table
            staticPlugin = StaticPlugin(
                table: table, store: store, offerHold: configuration.offerHold, declineQuarantine: configuration.declineQuarantine)
        }
        // Pools never hand out a reserved address or a server's own.
        var excluded = Set(configuration.subnets.compactMap(\.serverID))
        if let reservations { excluded.formUnion(await reservations.addresses) }
        let allocator = IPv4Allocator(owner: "range", store: store, pools: specs, excluded: excluded)
        try await allocator.rebuild()
        allocator.handleExpiry()
        if let reservations {
            let serverIDs = Set(configuration.subnets.compactMap(\.serverID))
            await reservations.setOnChange { [allocator] reserved in await allocator.setExcluded(reserved.union(serverIDs)) }
        }
        let plugins = try DHCPv4PluginChain.build(
            configuration.plugins, configuration: configuration, allocator: allocator, poolsBySubnet: poolsBySubnet,
            reservations: staticPlugin)
        let service = DHCPv4Service(configuration: configuration, plugins: plugins, counters: counters, clock: SystemLeaseClock(),
                                    logger: logger)
        return DHCPv4Runtime(service: service, allocator: allocator, reservations: reservations, pools: definitions)
    }
}
