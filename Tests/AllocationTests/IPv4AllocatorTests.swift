import Allocation
import DHCPWire
import Foundation
import LeaseStore
import Testing

@Suite("IPv4 allocator over the store")
struct IPv4AllocatorTests {
    let clock = ManualLeaseClock()
    let pool = IPv4Allocator.PoolSpec(name: "p", first: IPv4Address(192, 0, 2, 10), last: IPv4Address(192, 0, 2, 13))

    func client(_ n: UInt8) -> ClientID { .hardware(HardwareAddress(bytes: [2, 0, 0, 0, 0, n])!) }

    func request(_ n: UInt8, requested: IPv4Address? = nil) -> IPv4Allocator.Request {
        .init(client: client(n), pools: ["p"], requested: requested, hostname: nil, leaseTime: .seconds(600), now: clock.now())
    }

    @Test func aNewAllocatorRebuildsItsViewFromTheStore() async throws {
        let store = MemoryLeaseStore(options: LeaseStoreOptions(clock: clock))
        let first = IPv4Allocator(owner: "range", store: store, pools: [pool])
        var held: Set<IPv4Address> = []
        for n in 1...3 as ClosedRange<UInt8> {
            let address = try #require(try await first.offer(request(n), holdUntil: clock.now() + 30))
            #expect(try await first.commit(request(n), address: address) != .refused(""))
            held.insert(address)
        }
        // A restart: a fresh allocator on the same store must not hand out those three.
        let second = IPv4Allocator(owner: "range", store: store, pools: [pool])
        try await second.rebuild()
        let address = try #require(try await second.offer(request(9), holdUntil: clock.now() + 30))
        #expect(!held.contains(address))
        #expect(try await second.offer(request(10), holdUntil: clock.now() + 30) == nil, "the pool is full")
    }

    @Test func aStaleViewCostsARetryNeverADuplicate() async throws {
        let store = MemoryLeaseStore(options: LeaseStoreOptions(clock: clock))
        let a = IPv4Allocator(owner: "range", store: store, pools: [pool])
        let b = IPv4Allocator(owner: "range", store: store, pools: [pool])  // never told about a's leases
        var addresses: [IPv4Address] = []
        for n in 1...2 as ClosedRange<UInt8> {
            let address = try #require(try await a.offer(request(n), holdUntil: clock.now() + 30))
            #expect(try await a.commit(request(n), address: address) != .refused(""))
            addresses.append(address)
        }
        // b offers what it believes free, possibly a's addresses; the commit is what the store
        // arbitrates: a clash is refused, and b's next offer moves on.
        var committed = Set(addresses)
        for n in 3...4 as ClosedRange<UInt8> {
            for _ in 0..<4 {
                let address = try #require(try await b.offer(request(n), holdUntil: clock.now() + 30))
                if case .committed = try await b.commit(request(n), address: address) {
                    #expect(committed.insert(address).inserted)
                    break
                }
                _ = try await b.withdrawOffer(client(n))
            }
        }
        #expect(committed.count == 4, "no address committed twice: \(committed)")
    }

    @Test func reservedAddressesAreNeverHandedOutAndComeBackWhenUnreserved() async throws {
        let store = MemoryLeaseStore(options: LeaseStoreOptions(clock: clock))
        let reserved: Set<IPv4Address> = [IPv4Address(192, 0, 2, 10), IPv4Address(192, 0, 2, 11)]
        let allocator = IPv4Allocator(owner: "range", store: store, pools: [pool], excluded: reserved)
        var got: [IPv4Address] = []
        for n in 1...3 as ClosedRange<UInt8> {
            if let address = try await allocator.offer(request(n), holdUntil: clock.now() + 30) { got.append(address) }
        }
        #expect(Set(got) == [IPv4Address(192, 0, 2, 12), IPv4Address(192, 0, 2, 13)])
        #expect(try await allocator.commit(request(4, requested: IPv4Address(192, 0, 2, 10)), address: IPv4Address(192, 0, 2, 10))
            == .refused("192.0.2.10 is reserved"))
        await allocator.setExcluded([IPv4Address(192, 0, 2, 10)])
        let freed = try await allocator.offer(request(5), holdUntil: clock.now() + 30)
        #expect(freed == IPv4Address(192, 0, 2, 11))
    }

    @Test func expiryCallbacksReturnAddressesToThePool() async throws {
        let store = MemoryLeaseStore(options: LeaseStoreOptions(expiredHoldTime: .seconds(60), clock: clock))
        let small = IPv4Allocator.PoolSpec(name: "p", first: IPv4Address(192, 0, 2, 10), last: IPv4Address(192, 0, 2, 10))
        let allocator = IPv4Allocator(owner: "range", store: store, pools: [small])
        allocator.handleExpiry()
        let address = IPv4Address(192, 0, 2, 10)
        #expect(try await allocator.commit(request(1, requested: address), address: address) != .refused(""))
        #expect(try await allocator.offer(request(2), holdUntil: clock.now() + 30) == nil)
        clock.advance(by: .seconds(601))
        _ = try await store.reclaimExpired(limit: 10, timeBudget: .seconds(1))  // expired, held for its client
        #expect(try await allocator.offer(request(2), holdUntil: clock.now() + 30) == nil, "held during the hold time")
        clock.advance(by: .seconds(61))
        _ = try await store.reclaimExpired(limit: 10, timeBudget: .seconds(1))  // deleted: the callback frees it
        #expect(try await allocator.offer(request(2), holdUntil: clock.now() + 30) == address)
    }
}
