import Allocation
@testable import DHCPServer
import DHCPWire
import Foundation
import LeaseStore
import LessorControl
import Logging
import Synchronization
import Testing

/// `pools` lists the DHCPv6 pools of the running runtime: IA_NA, IA_TA and IA_PD, with exact
/// counts for small pools and sizes that saturate at UInt64.max for a /64.
@Suite("DHCPv6 pools on the control socket")
struct V6PoolsTests {
    static let serverDUID = DUID.linkLayer(HardwareAddress(bytes: [0x02, 0, 0, 0, 0, 0x01])!)

    static let small = Subnet6Configuration(
        name: "small6", prefix: IPv6Prefix("2001:db8:1::/64")!, pools: [IPv6Range("2001:db8:1::100-2001:db8:1::103")!],
        temporaryPools: [IPv6Range("2001:db8:1::1:0-2001:db8:1::1:1")!],
        prefixPools: [PrefixPool6Configuration(prefix: IPv6Prefix("2001:db8:100::/48")!, delegatedLength: 56)],
        lifetimes: Lifetimes6(preferred: .seconds(1000), valid: .seconds(2000)))
    static let wide = Subnet6Configuration(
        name: "wide6", prefix: IPv6Prefix("2001:db8:2::/64")!, pools: [IPv6Range("2001:db8:2::-2001:db8:2::ffff:ffff:ffff:ffff")!],
        lifetimes: Lifetimes6(preferred: .seconds(300), valid: .seconds(600)))

    /// The runtime the backend reports, swapped like `LessorServer`'s on SIGHUP.
    final class Slot: Sendable {
        let runtime = Mutex<DHCPv6Runtime?>(nil)
        var current: DHCPv6Runtime? { runtime.withLock { $0 } }
    }

    static func build(_ subnets: [Subnet6Configuration], store: MemoryLeaseStore, clock: ManualLeaseClock) async throws
        -> DHCPv6Runtime
    {
        let configuration = DHCPv6Configuration(
            subnets: subnets, plugins: [.init(name: .serverID), .init(name: .range6), .init(name: .prefix), .init(name: .privacy)])
        return try await DHCPv6Runtime.build(
            configuration, store: store, counters: ServerCounters(), logger: Logger(label: "test"), serverDUID: serverDUID, clock: clock)
    }

    /// A fixture whose backend is the server's, over a DHCPv6 runtime of `subnets`.
    static func with(_ subnets: [Subnet6Configuration], _ body: (ControlFixture, Slot) async throws -> Void) async throws {
        let slot = Slot()
        try await ControlFixture.with(backend: { store, clock in
            let runtime = try await build(subnets, store: store, clock: clock)
            slot.runtime.withLock { $0 = runtime }
            return ServerControlBackend(counters: ServerCounters(), startedAt: Date(), runtime: { nil }, runtime6: { slot.current })
        }) { fixture in try await body(fixture, slot) }
    }

    static func client(_ n: UInt8) -> ClientID { .duid(.linkLayer(HardwareAddress(bytes: [0, 0, 0x5e, 0, 0x53, n])!)) }

    /// Commits one IA of `client` through the runtime's `owner` allocator from `pool`.
    static func commit(_ client: ClientID, owner: String, pool: String, runtime: DHCPv6Runtime?, now: Date) async throws {
        let allocator = try #require(runtime?.allocators[owner])
        let outcome = try await allocator.commit(client, ias: [.init(iaid: 1)], pools: [pool], now: now, hostname: nil)
        guard case .granted = outcome[1] else { throw FixtureError("\(owner) granted nothing from \(pool): \(outcome)") }
    }

    static func pools(_ fixture: ControlFixture) async throws -> [String: PoolStats] {
        let client = try await fixture.client()
        let response = try await client.request(ControlRequest(id: 0, command: .pools))
        await client.close()
        let pools = try #require(response.pools)
        return Dictionary(pools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    @Test func everyV6PoolIsListedWithExactCountsAndSaturatedSizes() async throws {
        try await Self.with([Self.small, Self.wide]) { fixture, slot in
            let now = fixture.clock.now()
            try await Self.commit(Self.client(1), owner: "range6", pool: "small6", runtime: slot.current, now: now)
            try await Self.commit(Self.client(3), owner: "range6", pool: "wide6", runtime: slot.current, now: now)
            try await Self.commit(Self.client(1), owner: "prefix", pool: "small6/pd", runtime: slot.current, now: now)
            let advertiser = try #require(slot.current?.allocators["range6"])
            _ = try await advertiser.advertise(
                Self.client(2), ias: [.init(iaid: 1)], pools: ["small6"], now: now, holdUntil: now.addingTimeInterval(30), hostname: nil)
            #expect(
                try await eventually {
                    let pools = try await Self.pools(fixture)
                    return pools["small6/pd"]?.active == 1 && pools["small6"]?.active == 1 && pools["wide6"]?.active == 1
                })
            let pools = try await Self.pools(fixture)
            #expect(Set(pools.keys) == ["small6", "wide6", "small6/pd", "small6/ta"])
            #expect(
                pools["small6"]
                    == PoolStats(
                        name: "small6", subnet: "2001:db8:1::/64", range: "2001:db8:1::100-2001:db8:1::103", family: "ia_na", size: 4,
                        active: 1, offered: 1, declined: 0, held: 0, free: 2, leaseTime: 2000))
            #expect(
                pools["wide6"]
                    == PoolStats(
                        name: "wide6", subnet: "2001:db8:2::/64", range: "2001:db8:2::-2001:db8:2:0:ffff:ffff:ffff:ffff", family: "ia_na",
                        size: .max, active: 1, offered: 0, declined: 0, held: 0, free: .max - 1, leaseTime: 600))
            #expect(
                pools["small6/pd"]
                    == PoolStats(
                        name: "small6/pd", subnet: "2001:db8:1::/64", range: "2001:db8:100::/48 → /56", family: "ia_pd", size: 256,
                        active: 1, offered: 0, declined: 0, held: 0, free: 255, leaseTime: 2000))
            #expect(pools["small6/ta"]?.family == "ia_ta" && pools["small6/ta"]?.size == 2 && pools["small6/ta"]?.free == 2)
        }
    }

    @Test func afterAReloadThePoolsOfTheNewRuntimeAreListed() async throws {
        try await Self.with([Self.small]) { fixture, slot in
            #expect(try await Self.pools(fixture).keys.sorted() == ["small6", "small6/pd", "small6/ta"])
            let reloaded = try await Self.build([Self.wide], store: fixture.store, clock: fixture.clock)
            slot.runtime.withLock { $0 = reloaded }
            #expect(try await Self.pools(fixture).keys.sorted() == ["wide6"])
        }
    }
}

/// The `pools` arithmetic saturates: a pool of UInt64.max with UInt64.max offers and a lease
/// neither traps nor wraps.
@Suite("pools counts at UInt64.max")
struct SaturatedPoolCountsTests {
    struct HugeBackend: ControlBackend {
        let base: TestBackend

        func serverInfo() async -> ControlServerInfo { await base.serverInfo() }

        func pools(now: Date) async -> [ControlPoolInfo] {
            [ControlPoolInfo(name: ControlFixture.pool.name, subnet: "-", range: "-", family: "ia_na", size: .max, offered: .max, leaseTime: 1)]
        }
    }

    @Test func usedAndFreeSaturate() async throws {
        try await ControlFixture.with(backend: { store, _ in
            let allocator = IPv4Allocator(owner: "unused", store: store, pools: [])
            return HugeBackend(base: TestBackend(allocator: allocator, leaseTime: 1))
        }) { fixture in
            try await fixture.lease(ControlFixture.client(1))
            #expect(try await eventually { try await V6PoolsTests.pools(fixture)["lab"]?.active == 1 })
            let pool = try #require(try await V6PoolsTests.pools(fixture)["lab"])
            #expect(pool.size == .max && pool.offered == .max && pool.free == 0 && pool.held == 0)
        }
    }
}
