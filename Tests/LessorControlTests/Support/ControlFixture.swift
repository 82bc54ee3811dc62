import Allocation
import DHCPWire
import Foundation
import LeaseStore
import LessorControl

#if canImport(Glibc)
import Glibc
#endif

/// An in-process control server on a temporary socket, over a memory store with a manual clock
/// and a one-pool allocator that follows the store's changes, plus a connected client; the
/// backend is a `TestBackend` over that allocator unless the test makes its own.
struct ControlFixture: Sendable {
    let directory: String
    let clock: ManualLeaseClock
    let store: MemoryLeaseStore
    let allocator: IPv4Allocator
    let server: ControlServer
    let follower: Task<Void, Never>

    static let pool = IPv4Allocator.PoolSpec(
        name: "lab", first: IPv4Address(192, 0, 2, 10), last: IPv4Address(192, 0, 2, 10))

    var socketPath: String { server.configuration.socketPath }

    /// Runs `body` with a fresh fixture and tears it down afterwards, whatever happens.
    static func with<T>(
        pool: IPv4Allocator.PoolSpec = Self.pool, socketMode: UInt32 = 0o660, watch: ControlAccessList = ControlAccessList(),
        subscriberBuffer: Int = 1024,
        backend makeBackend: ((MemoryLeaseStore, ManualLeaseClock) async throws -> any ControlBackend)? = nil,
        _ body: (ControlFixture) async throws -> T
    ) async throws -> T {
        var template = Array("/tmp/lessor-control-test.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FixtureError("mkdtemp failed: errno \(errno)") }
        let directory = String(cString: made)
        chmod(directory, 0o755)  // traversable by the unprivileged uids some tests run as
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualLeaseClock()
        let store = MemoryLeaseStore(options: LeaseStoreOptions(expiredHoldTime: .seconds(600), clock: clock))
        let allocator = IPv4Allocator(owner: "range", store: store, pools: [pool])
        try await allocator.rebuild()
        allocator.handleExpiry()
        let changes = store.changes()
        let follower = Task { await allocator.follow(changes) }
        let configuration = ControlServerConfiguration(
            socketPath: directory + "/run/control.sock", mode: socketMode, watch: watch, subscriberBuffer: subscriberBuffer)
        let backend = try await makeBackend?(store, clock) ?? TestBackend(allocator: allocator, leaseTime: 600)
        let server = try await ControlServer.start(configuration, store: store, backend: backend, clock: clock)
        let fixture = ControlFixture(
            directory: directory, clock: clock, store: store, allocator: allocator, server: server, follower: follower)
        do {
            let result = try await body(fixture)
            await fixture.close()
            return result
        } catch {
            await fixture.close()
            throw error
        }
    }

    private func close() async {
        await server.stop()
        follower.cancel()
    }

    func client() async throws -> ControlClient { try await ControlClient.connect(path: socketPath) }

    /// A DHCPv4 lease through the allocator, as the range plugin makes them.
    @discardableResult
    func lease(_ client: ClientID, leaseTime: Duration = .seconds(600)) async throws -> Lease {
        let request = IPv4Allocator.Request(
            client: client, pools: [Self.pool.name], requested: nil, hostname: nil, leaseTime: leaseTime, now: clock.now())
        guard let address = try await allocator.offer(request, holdUntil: clock.now().addingTimeInterval(30)) else {
            throw FixtureError("the pool is exhausted")
        }
        guard case .committed(let lease) = try await allocator.commit(request, address: address) else {
            throw FixtureError("the allocator refused \(address)")
        }
        return await store.read(client).first { $0.key == lease.key } ?? lease
    }

    /// What the allocator would offer `client` now (nil: nothing free).
    func offer(to client: ClientID) async throws -> IPv4Address? {
        let request = IPv4Allocator.Request(
            client: client, pools: [Self.pool.name], requested: nil, hostname: nil, leaseTime: .seconds(600), now: clock.now())
        let address = try await allocator.offer(request, holdUntil: clock.now().addingTimeInterval(1))
        try await allocator.withdrawOffer(client)
        return address
    }

    static func client(_ last: UInt8) -> ClientID {
        .hardware(HardwareAddress(bytes: [0x02, 0, 0, 0, 0, last])!)
    }
}

/// The DHCP server's side, for tests: fixed identity, the allocator's pools.
struct TestBackend: ControlBackend {
    let allocator: IPv4Allocator
    let leaseTime: Int

    func serverInfo() async -> ControlServerInfo {
        ControlServerInfo(
            name: "test", version: "0.0.0", pid: getpid(), startedAt: Date(timeIntervalSince1970: 0), counters: ["ack": 0])
    }

    func pools(now: Date) async -> [ControlPoolInfo] {
        let usage = await allocator.usage(now: now)
        return usage.map { name, usage in
            ControlPoolInfo(
                name: name, subnet: "192.0.2.0/24", range: "-", size: UInt64(usage.size), offered: UInt64(usage.offered),
                free: UInt64(usage.free), leaseTime: leaseTime)
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Waits up to `timeout` for `condition`, re-checking every few milliseconds (for effects that
/// arrive on another task with no event to await).
func eventually(_ timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(5))
    }
    return try await condition()
}
