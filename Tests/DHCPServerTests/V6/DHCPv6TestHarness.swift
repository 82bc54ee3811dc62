import Allocation
import DHCPServer
import DHCPWire
import Foundation
import LeaseStore
import Logging

/// A DHCPv6 service built by `DHCPv6Runtime` over a memory store (or another provider) with a
/// manual clock, fed datagrams directly: the pipeline and plugins without sockets.
struct DHCPv6TestHarness {
    let runtime: DHCPv6Runtime
    let store: any LeaseStore
    let clock: ManualLeaseClock
    var service: DHCPv6Service { runtime.service }
    static let serverDUID = DUID.linkLayer(HardwareAddress(bytes: [0x02, 0, 0, 0, 0, 0x01])!)

    /// Directly attached: 4 addresses, 2 temporary addresses, 4 delegated /56.
    static let lan = Subnet6Configuration(
        name: "lan6", prefix: IPv6Prefix("2001:db8:1::/64")!, interface: "eth1",
        pools: [IPv6Range("2001:db8:1::100-2001:db8:1::103")!], temporaryPools: [IPv6Range("2001:db8:1::1:0-2001:db8:1::1:1")!],
        prefixPools: [PrefixPool6Configuration(prefix: IPv6Prefix("2001:db8:100::/54")!, delegatedLength: 56)],
        lifetimes: Lifetimes6(preferred: .seconds(1000), valid: .seconds(2000)),
        dnsServers: [IPv6Address("2001:db8:1::53")!], domainSearch: ["example.org"])
    /// Behind a relay whose link-address is 2001:db8:2::1.
    static let relayed = Subnet6Configuration(
        name: "far6", prefix: IPv6Prefix("2001:db8:2::/64")!, pools: [IPv6Range("2001:db8:2::100-2001:db8:2::1ff")!],
        lifetimes: Lifetimes6(preferred: .seconds(600), valid: .seconds(900), renewal: .seconds(100), rebinding: .seconds(200)))

    static let allPlugins: [Plugin6Configuration] = [
        .init(name: .serverID), .init(name: .leaseTime), .init(name: .range6), .init(name: .prefix), .init(name: .privacy),
        .init(name: .dns6), .init(name: .domainSearch6),
    ]

    static func make(
        subnets: [Subnet6Configuration] = [lan, relayed], plugins: [Plugin6Configuration] = allPlugins, rapidCommit: Bool = true,
        makeStore: (LeaseStoreOptions) throws -> any LeaseStore = { MemoryLeaseStore(options: $0) }
    ) async throws -> DHCPv6TestHarness {
        let clock = ManualLeaseClock()
        let store = try makeStore(LeaseStoreOptions(expiredHoldTime: .seconds(600), clock: clock))
        let configuration = DHCPv6Configuration(rapidCommit: rapidCommit, preference: 7, subnets: subnets, plugins: plugins)
        let runtime = try await DHCPv6Runtime.build(
            configuration, store: store, counters: ServerCounters(), logger: Logger(label: "test"), serverDUID: serverDUID,
            clock: clock)
        return DHCPv6TestHarness(runtime: runtime, store: store, clock: clock)
    }

    static func duid(_ n: UInt8) -> DUID { DUID.linkLayer(HardwareAddress(bytes: [0x00, 0x00, 0x5e, 0x00, 0x53, n])!) }

    /// A client message: Client ID of client `n`, the IAs given, and what else is asked for.
    static func message(
        _ type: DHCPv6MessageType, client n: UInt8?, xid: UInt32 = 0x42, na: [UInt32: [IPv6Address]] = [:],
        ta: [UInt32: [IPv6Address]] = [:], pd: [UInt32: [IPv6Prefix]] = [:], server: DUID? = nil, rapidCommit: Bool = false,
        oro: [DHCPv6OptionCode]? = nil, fqdn: String? = nil
    ) -> DHCPv6ClientServerMessage {
        var message = DHCPv6ClientServerMessage(messageType: type, transactionID: xid)
        if let n { message.options.append(DHCPv6ClientIdentifier(duid: duid(n))) }
        if let server { message.options.append(DHCPv6ServerIdentifier(duid: server)) }
        if rapidCommit { message.options.append(DHCPv6RapidCommit()) }
        if let oro { message.options.append(DHCPv6OptionRequest(codes: oro)) }
        if let fqdn { message.options.append(DHCPv6ClientFQDN(name: DomainName(fqdn)!)) }
        message.options.append(DHCPv6ElapsedTime(hundredths: 0))
        for (iaid, addresses) in na.sorted(by: { $0.key < $1.key }) {
            message.options.append(DHCPv6IANA(iaid: iaid, t1: 0, t2: 0, addresses: addresses.map { .init(address: $0, preferredLifetime: 0, validLifetime: 0) }))
        }
        for (iaid, addresses) in ta.sorted(by: { $0.key < $1.key }) {
            message.options.append(DHCPv6IATA(iaid: iaid, addresses: addresses.map { .init(address: $0, preferredLifetime: 0, validLifetime: 0) }))
        }
        for (iaid, prefixes) in pd.sorted(by: { $0.key < $1.key }) {
            message.options.append(DHCPv6IAPD(iaid: iaid, t1: 0, t2: 0, prefixes: prefixes.map { .init(prefix: $0, preferredLifetime: 0, validLifetime: 0) }))
        }
        return message
    }

    static let clientLinkLocal = IPv6Address("fe80::200:5eff:fe00:5301")!
    /// A client's multicast on eth1.
    static let onLAN = PacketOrigin6(
        interface: "eth1", interfaceIndex: 3, destination: IPv6Address("ff02::1:2")!, sourceAddress: clientLinkLocal, sourcePort: 546)

    /// Sends a message; the reply's client message (unwrapped from any Relay-Reply) and its destination.
    func send(_ message: DHCPv6ClientServerMessage, from origin: PacketOrigin6 = onLAN) async throws
        -> (DHCPv6ClientServerMessage, ReplyDestination6)?
    {
        guard let reply = await service.handle(message.serialize(), origin: origin) else { return nil }
        return (try DHCPv6Message(parsing: reply.bytes).unwrap().message, reply.destination)
    }

    func reply(_ message: DHCPv6ClientServerMessage, from origin: PacketOrigin6 = onLAN) async throws -> DHCPv6ClientServerMessage? {
        try await send(message, from: origin)?.0
    }
}

extension DHCPv6ClientServerMessage {
    /// The IA_NA with this IAID.
    func na(_ iaid: UInt32) throws -> DHCPv6IANA? { try iaNA.first { $0.iaid == iaid } }
    func pd(_ iaid: UInt32) throws -> DHCPv6IAPD? { try iaPD.first { $0.iaid == iaid } }
    func ta(_ iaid: UInt32) throws -> DHCPv6IATA? { try iaTA.first { $0.iaid == iaid } }
}
