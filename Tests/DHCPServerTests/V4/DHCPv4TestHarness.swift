import Allocation
import DHCPServer
import DHCPWire
import Foundation
import LeaseStore
import LeaseStoreSQLite
import Logging

/// A DHCPv4 service over a memory store with a manual clock, fed packets directly: the
/// pipeline and plugins without sockets.
struct DHCPv4TestHarness {
    let service: DHCPv4Service
    let store: any LeaseStore
    let clock: ManualLeaseClock
    let allocator: IPv4Allocator
    static let serverID = IPv4Address(192, 0, 2, 1)
    static let relay = IPv4Address(198, 18, 0, 1)

    static let lan = SubnetConfiguration(
        name: "lan", subnet: IPv4Subnet("192.0.2.0/24")!, interface: "veth0",
        pools: [IPv4Range("192.0.2.100-192.0.2.103")!], leaseTime: .seconds(600), serverID: serverID,
        routers: [IPv4Address(192, 0, 2, 1)], dnsServers: [IPv4Address(192, 0, 2, 53)], domainName: "example.org")
    static let relayed = SubnetConfiguration(
        name: "relayed", subnet: IPv4Subnet("198.18.0.0/24")!, pools: [IPv4Range("198.18.0.10-198.18.0.200")!],
        leaseTime: .seconds(300), serverID: IPv4Address(198, 18, 0, 254), routers: [relay])

    /// - Parameter makeStore: the provider (memory by default) built with the harness's options.
    static func make(
        subnets: [SubnetConfiguration] = [lan, relayed], identity: IdentityPolicy = .clientID,
        makeStore: (LeaseStoreOptions) throws -> any LeaseStore = { MemoryLeaseStore(options: $0) }
    ) async throws -> DHCPv4TestHarness {
        let clock = ManualLeaseClock()
        let store = try makeStore(LeaseStoreOptions(expiredHoldTime: .seconds(600), clock: clock))
        var specs: [IPv4Allocator.PoolSpec] = []
        var bySubnet: [String: [String]] = [:]
        for subnet in subnets {
            for (index, range) in subnet.pools.enumerated() {
                let name = "\(subnet.name)-\(index)"
                specs.append(.init(name: name, first: range.first, last: range.last))
                bySubnet[subnet.name, default: []].append(name)
            }
        }
        let allocator = IPv4Allocator(owner: "range", store: store, pools: specs)
        allocator.handleExpiry()
        let configuration = DHCPv4Configuration(identity: identity, subnets: subnets)
        let plugins: [any DHCPv4Plugin] = try DHCPv4PluginChain.build(
            [.init(name: .serverID), .init(name: .leaseTime), .init(name: .netmask), .init(name: .router), .init(name: .dns), .init(name: .range)],
            configuration: configuration, allocator: allocator, poolsBySubnet: bySubnet, reservations: nil)
        let service = DHCPv4Service(configuration: configuration, plugins: plugins, counters: ServerCounters(), clock: clock,
                                    logger: Logger(label: "test"))
        return DHCPv4TestHarness(service: service, store: store, clock: clock, allocator: allocator)
    }

    static func mac(_ n: UInt8) -> HardwareAddress { HardwareAddress(bytes: [0x00, 0x00, 0x5e, 0x00, 0x53, n])! }

    /// A client message as dhclient sends it (no option 61).
    static func message(_ type: DHCPv4MessageType, mac n: UInt8, xid: UInt32 = 0x1234, ciaddr: IPv4Address = .any,
                        requested: IPv4Address? = nil, server: IPv4Address? = nil, giaddr: IPv4Address = .any) -> DHCPv4Message {
        var message = DHCPv4Message(op: .bootRequest, xid: xid, chaddr: mac(n), ciaddr: ciaddr, giaddr: giaddr)
        message.options.set(.messageType, type)
        if let requested { message.options.set(.requestedAddress, requested) }
        if let server { message.options.set(.serverIdentifier, server) }
        message.options.set(.hostName, "host-\(n)")
        return message
    }

    static let onLAN = PacketOrigin(interface: "veth0", localAddress: serverID, sourceAddress: .any, sourcePort: 68)
    static let fromRelay = PacketOrigin(interface: "veth1", localAddress: IPv4Address(198, 18, 0, 254), sourceAddress: relay, sourcePort: 67)

    func send(_ message: DHCPv4Message, from origin: PacketOrigin = onLAN) async throws -> (DHCPv4Message, ReplyDestination)? {
        guard let reply = await service.handle(message.serialize(), origin: origin) else { return nil }
        return (try DHCPv4Message(parsing: reply.bytes), reply.destination)
    }

    /// DISCOVER then REQUEST in SELECTING; returns the ACKed address.
    func acquire(mac n: UInt8, from origin: PacketOrigin = onLAN, giaddr: IPv4Address = .any) async throws -> IPv4Address? {
        guard let (offer, _) = try await send(Self.message(.discover, mac: n, giaddr: giaddr), from: origin),
            try offer.messageType == .offer, let server = try offer.serverIdentifier
        else { return nil }
        guard let (ack, _) = try await send(Self.message(.request, mac: n, requested: offer.yiaddr, server: server, giaddr: giaddr), from: origin),
            try ack.messageType == .ack
        else { return nil }
        return ack.yiaddr
    }
}
