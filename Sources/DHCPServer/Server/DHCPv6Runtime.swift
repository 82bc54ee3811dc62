public import Allocation
public import DHCPWire
public import LeaseStore
public import Logging

/// What one `server6` configuration turns into: the allocators, the reservations, the plugin chain
/// and the service. The transport wires `service.handle` to its sockets; rebuilt on SIGHUP.
public struct DHCPv6Runtime: Sendable {
    public let service: DHCPv6Service
    /// One per allocating plugin in the chain: `range6`, `privacy`, `prefix`.
    public let allocators: [String: IPv6Allocator]
    /// Every pool, as the control socket's `pools` lists it.
    public let pools: [PoolDefinition]

    public struct PoolDefinition: Sendable {
        public var name: String
        /// The plugin (and allocator owner) that hands it out.
        public var owner: String
        public var subnet: Subnet6Configuration
        public var space: IPv6Allocator.PoolSpec.Space
        /// The lifetimes its leases get (a prefix pool's own, else its subnet's).
        public var lifetimes: Lifetimes6
    }

    public struct BuildError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func build(
        _ configuration: DHCPv6Configuration, store: any LeaseStore, counters: ServerCounters, logger: Logger,
        serverDUID: DUID, clock: any LeaseClock = SystemLeaseClock()
    ) async throws -> DHCPv6Runtime {
        var reservations: ReservationTable?
        if let entry = configuration.plugins.first(where: { $0.name == .static6 }) {
            guard let file = entry.file else { throw BuildError(description: "\(entry.location): static6 needs a reservations file") }
            reservations = try ReservationTable(path: file, subnets: nil, logger: logger)
        }
        let reserved = await reservations?.addresses6 ?? []

        var allocators: [String: IPv6Allocator] = [:]
        var definitions: [PoolDefinition] = []
        var plugins: [any DHCPv6Plugin] = []
        for entry in configuration.plugins {
            switch entry.name {
            case .serverID: plugins.append(ServerIDPlugin6())
            case .leaseTime: plugins.append(LeaseTimePlugin6())
            case .dns6: plugins.append(DNSPlugin6())
            case .domainSearch6: plugins.append(DomainSearchPlugin6())
            case .option: plugins.append(GenericOptionPlugin6(options: entry.options))
            case .sleep: plugins.append(SleepPlugin(delay: entry.delay ?? .zero))
            case .static6:
                guard let reservations else { continue }
                plugins.append(Static6Plugin(table: reservations, store: store, declineQuarantine: configuration.declineQuarantine))
            case .range6, .privacy, .prefix:
                let owner = entry.name.rawValue
                let (specs, poolsBySubnet, timers, defined) = Self.pools(for: entry.name, in: configuration.subnets)
                let allocator = IPv6Allocator(
                    owner: owner, kind: entry.name == .range6 ? .addresses : entry.name == .privacy ? .temporary : .prefixes,
                    store: store, pools: specs, excluded: Self.reserved(reserved, for: entry.name))
                try await allocator.rebuild()
                allocator.handleExpiry()
                allocators[owner] = allocator
                definitions += defined
                plugins.append(
                    PoolPlugin6(
                        name: owner, allocator: allocator, poolsBySubnet: poolsBySubnet, timers: timers,
                        advertiseHold: configuration.advertiseHold, declineQuarantine: configuration.declineQuarantine))
            }
        }
        if let reservations {
            let owners = allocators
            await reservations.setOnChange6 { reserved in
                for (owner, allocator) in owners {
                    guard let name = Plugin6Configuration.Name(rawValue: owner) else { continue }
                    await allocator.setExcluded(Self.reserved(reserved, for: name))
                }
            }
        }
        let service = DHCPv6Service(
            configuration: configuration, plugins: plugins, serverDUID: serverDUID, counters: counters, clock: clock,
            logger: logger)
        return DHCPv6Runtime(service: service, allocators: allocators, pools: definitions)
    }

    /// The reserved resources an allocating plugin must never hand out: prefixes for `prefix`,
    /// addresses for the others.
    static func reserved(_ resources: Set<LeaseResource>, for plugin: Plugin6Configuration.Name) -> Set<LeaseResource> {
        resources.filter { resource in
            if case .prefix = resource { plugin == .prefix } else { plugin != .prefix }
        }
    }

    /// The allocator pools of one plugin's kind, named `subnet` (one pool) or `subnet#n`, with
    /// `/ta` or `/pd` appended for temporary and prefix pools so every name is unique.
    static func pools(for plugin: Plugin6Configuration.Name, in subnets: [Subnet6Configuration]) -> (
        [IPv6Allocator.PoolSpec], [String: [String]], [String: (t1: UInt32, t2: UInt32)], [PoolDefinition]
    ) {
        var specs: [IPv6Allocator.PoolSpec] = []
        var bySubnet: [String: [String]] = [:]
        var timers: [String: (t1: UInt32, t2: UInt32)] = [:]
        var definitions: [PoolDefinition] = []
        for subnet in subnets {
            var spaces: [(IPv6Allocator.PoolSpec.Space, Lifetimes6)] = []
            let suffix: String
            switch plugin {
            case .range6:
                suffix = ""
                spaces = subnet.pools.map { (.addresses(first: $0.first, last: $0.last), subnet.lifetimes) }
            case .privacy:
                suffix = "/ta"
                spaces = subnet.temporaryPools.map { (.addresses(first: $0.first, last: $0.last), subnet.temporaryLifetimes) }
            default:
                suffix = "/pd"
                spaces = subnet.prefixPools.map {
                    (.prefixes($0.prefix, delegatedLength: $0.delegatedLength, excluded: $0.excluded), $0.lifetimes ?? subnet.lifetimes)
                }
            }
            for (index, (space, lifetimes)) in spaces.enumerated() {
                let name = subnet.name + suffix + (spaces.count == 1 ? "" : "#\(index + 1)")
                specs.append(.init(name: name, space: space, preferred: lifetimes.preferred, valid: lifetimes.valid))
                bySubnet[subnet.name, default: []].append(name)
                timers[name] = DHCPv6Context.timers(lifetimes)
                definitions.append(
                    PoolDefinition(name: name, owner: plugin.rawValue, subnet: subnet, space: space, lifetimes: lifetimes))
            }
        }
        return (specs, bySubnet, timers, definitions)
    }
}
