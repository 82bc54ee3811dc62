import Allocation
import DHCPWire
import Foundation
import LeaseStore
import LeaseStoreSQLite
import Testing

@Suite("IPv6 allocator over SQLite")
struct IPv6AllocatorSQLiteTests {
    let clock = ManualLeaseClock()

    func client(_ n: Int) -> ClientID { .duid(.linkLayer(HardwareAddress(bytes: [2, 0, 0, 1, 0, UInt8(n)])!)) }

    @Test func leasesSurviveAReopenAndTheStoreArbitratesConcurrentCommits() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lessor-v6alloc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("leases.sqlite").path
        let options = LeaseStoreOptions(clock: clock)
        let addresses = IPv6Allocator.PoolSpec(
            name: "na", space: .addresses(first: IPv6Address("2001:db8::100")!, last: IPv6Address("2001:db8::103")!),
            preferred: .seconds(300), valid: .seconds(600))
        let prefixes = IPv6Allocator.PoolSpec(
            name: "pd", space: .prefixes(IPv6Prefix("2001:db8:100::/40")!, delegatedLength: 56, excluded: []),
            preferred: .seconds(300), valid: .seconds(600))

        let store = try SQLiteLeaseStore(.init(path: path, options: options))
        let range6 = IPv6Allocator(owner: "range6", kind: .addresses, store: store, pools: [addresses])
        let prefix = IPv6Allocator(owner: "prefix", kind: .prefixes, store: store, pools: [prefixes])
        let na = try await range6.commit(client(1), ias: [.init(iaid: 1), .init(iaid: 2)], pools: ["na"], now: clock.now(), hostname: nil)
        let pd = try await prefix.commit(client(1), ias: [.init(iaid: 1)], pools: ["pd"], now: clock.now(), hostname: nil)
        #expect(na.values.allSatisfy { if case .granted = $0 { true } else { false } })
        guard case .granted(let delegation) = pd[1] else { Issue.record("\(pd)"); return }
        // Two servers on one file that do not know of each other: one address left, two clients.
        let other = IPv6Allocator(owner: "range6", kind: .addresses, store: store, pools: [addresses])
        let hint = LeaseResource.ipv6(IPv6Address("2001:db8::103")!)
        try await range6.rebuild()
        async let a = range6.commit(client(2), ias: [.init(iaid: 1, hints: [hint])], pools: ["na"], now: clock.now(), hostname: nil)
        async let b = other.commit(client(3), ias: [.init(iaid: 1, hints: [hint])], pools: ["na"], now: clock.now(), hostname: nil)
        let outcomes = try await [a, b].compactMap { $0[1] }
        let granted = outcomes.compactMap { if case .granted(let lease) = $0 { lease.resources.first } else { nil } }
        // The unaware one hits held addresses and retries: both end up served, the hint to one.
        #expect(granted.count == 2)
        #expect(Set(granted).count == granted.count)
        #expect(granted.filter { $0 == hint }.count == 1)
        await store.close()

        let reopened = try SQLiteLeaseStore(.init(path: path, options: options))
        let restarted = IPv6Allocator(owner: "range6", kind: .addresses, store: reopened, pools: [addresses])
        let restartedPD = IPv6Allocator(owner: "prefix", kind: .prefixes, store: reopened, pools: [prefixes])
        try await restarted.rebuild()
        try await restartedPD.rebuild()
        let held = 2 + granted.count
        #expect(await restarted.usage(now: clock.now())["na"] == PoolUsage(size: 4, free: 4 - held, offered: 0))
        #expect(await restartedPD.usage(now: clock.now())["pd"] == PoolUsage(size: 65_536, free: 65_535, offered: 0))
        #expect(try await reopened.holder(of: delegation.resources[0])?.client == client(1))
        let renewed = try await restartedPD.renew(client(1), ias: [.init(iaid: 1)], pools: ["pd"], now: clock.now(), rebind: false)
        guard case .granted(let lease) = renewed[1] else { Issue.record("\(renewed)"); return }
        #expect(lease.resources == delegation.resources)
        await reopened.close()
    }
}
