import Allocation
import DHCPWire
import Foundation
import LeaseStore
import Testing

typealias V6 = IPv6Allocator

@Suite("IPv6 allocator over the store")
struct IPv6AllocatorTests {
    let clock = ManualLeaseClock()

    static func address(_ text: String) -> IPv6Address { IPv6Address(text)! }
    static func prefix(_ text: String) -> IPv6Prefix { IPv6Prefix(text)! }

    /// 2001:db8::10 – 2001:db8::(10 + size - 1).
    static func range(_ name: String = "p", size: UInt64) -> V6.PoolSpec {
        let first = address("2001:db8::10")
        return V6.PoolSpec(
            name: name, space: .addresses(first: first, last: IPv6Address(high: first.high, low: first.low + size - 1)),
            preferred: .seconds(300), valid: .seconds(600))
    }

    static let slash64 = V6.PoolSpec(
        name: "big", space: .addresses(first: address("2001:db8:1:2::"), last: address("2001:db8:1:2:ffff:ffff:ffff:ffff")),
        preferred: .seconds(300), valid: .seconds(600))

    func client(_ n: Int) -> ClientID {
        .duid(.linkLayer(HardwareAddress(bytes: [2, 0, 0, 0, UInt8(n >> 8), UInt8(n & 0xFF)])!))
    }

    func store(hold: Duration = .seconds(3600)) -> MemoryLeaseStore {
        MemoryLeaseStore(options: LeaseStoreOptions(expiredHoldTime: hold, clock: clock))
    }

    func commit(_ allocator: V6, _ n: Int, iaid: UInt32 = 1, hints: [LeaseResource] = [], pools: [String] = ["p"]) async throws -> V6.IAOutcome {
        let outcomes = try await allocator.commit(client(n), ias: [.init(iaid: iaid, hints: hints)], pools: pools, now: clock.now(), hostname: nil)
        return try #require(outcomes[iaid])
    }

    func granted(_ outcome: V6.IAOutcome) -> LeaseResource? {
        if case .granted(let lease) = outcome { return lease.resources.first }
        return nil
    }

    @Test func aSmallPoolExhaustsExactlyAndFreesOnRelease() async throws {
        let store = store()
        let allocator = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 4)])
        var held: [Int: LeaseResource] = [:]
        for n in 1...4 {
            let outcome = try await commit(allocator, n)
            guard case .granted(let lease) = outcome else {
                Issue.record("client \(n): \(outcome)")
                continue
            }
            #expect(lease.kind == .iaNA && lease.iaid == 1 && lease.owner == "range6" && lease.pool == "p" && lease.state == .active)
            #expect(lease.expiresAt == clock.now() + 600)
            #expect(lease.elements.first?.preferredUntil == clock.now() + 300)
            #expect(lease.elements.first?.validUntil == clock.now() + 600)
            #expect(await store.read(client(n)).first?.resources == lease.resources, "stored")
            held[n] = lease.resources.first
        }
        #expect(Set(held.values).count == 4)
        #expect(try await commit(allocator, 5) == .unavailable)
        #expect(try await allocator.release(client(2), iaids: [1, 7]) == [1: true, 7: false])
        #expect(await store.read(client(2)).isEmpty)
        #expect(granted(try await commit(allocator, 5)) == held[2])
        #expect(try await commit(allocator, 6) == .unavailable)
    }

    @Test func expiryReturnsAddressesToThePool() async throws {
        let store = store(hold: .seconds(60))
        let allocator = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 1)])
        allocator.handleExpiry()
        let address = try #require(granted(try await commit(allocator, 1)))
        #expect(try await commit(allocator, 2) == .unavailable)
        clock.advance(by: .seconds(601))
        _ = try await store.reclaimExpired(limit: 10, timeBudget: .seconds(1))
        #expect(try await commit(allocator, 2) == .unavailable, "held for its client during the hold time")
        clock.advance(by: .seconds(61))
        _ = try await store.reclaimExpired(limit: 10, timeBudget: .seconds(1))
        #expect(granted(try await commit(allocator, 2)) == address)
    }

    @Test func aSlash64PoolHandsOutThousandsOfDistinctAddresses() async throws {
        let allocator = V6(owner: "range6", kind: .addresses, store: store(), pools: [Self.slash64])
        var seen = Set<LeaseResource>()
        for n in 1...3000 {
            let resource = try #require(granted(try await commit(allocator, n, pools: ["big"])))
            guard case .ipv6(let address) = resource else {
                Issue.record("not an address: \(resource)")
                continue
            }
            #expect(address.high == Self.address("2001:db8:1:2::").high)
            #expect(seen.insert(resource).inserted)
        }
        let usage = try #require(await allocator.usage(now: clock.now())["big"])
        #expect(usage.saturated)
        #expect(usage.size == Int.max)
        #expect(usage.size - usage.free == 3000)
    }

    @Test(arguments: [false, true])
    func theSameClientAndIAIDGetTheirAddressBack(_ huge: Bool) async throws {
        let pool = huge ? Self.slash64 : Self.range(size: 256)
        let allocator = V6(owner: "range6", kind: .addresses, store: store(), pools: [pool])
        let first = try #require(granted(try await commit(allocator, 1, iaid: 9, pools: [pool.name])))
        #expect(try await allocator.release(client(1), iaids: [9]) == [9: true])
        #expect(granted(try await commit(allocator, 1, iaid: 9, pools: [pool.name])) == first)
        // A fresh allocator (a restart) picks the same one too.
        let restarted = V6(owner: "range6", kind: .addresses, store: store(), pools: [pool])
        #expect(granted(try await commit(restarted, 1, iaid: 9, pools: [pool.name])) == first)
    }

    @Test func hintsAreHonouredWhenFreeAndInThePool() async throws {
        let allocator = V6(owner: "range6", kind: .addresses, store: store(), pools: [Self.range(size: 16)])
        let wanted = LeaseResource.ipv6(Self.address("2001:db8::17"))
        #expect(granted(try await commit(allocator, 1, hints: [wanted])) == wanted)
        // Held by client 1: client 2 gets another.
        let second = try #require(granted(try await commit(allocator, 2, hints: [wanted])))
        #expect(second != wanted)
        // Outside the pool: ignored.
        let outside = LeaseResource.ipv6(Self.address("2001:db8::99"))
        let third = try #require(granted(try await commit(allocator, 3, hints: [outside])))
        #expect(third != outside)
        #expect(await allocator.onLink([third, second, wanted], pools: ["p"]))
        #expect(await !allocator.onLink([third, outside], pools: ["p"]))
    }

    @Test func excludedAddressesAreNeverHandedOut() async throws {
        let server = LeaseResource.ipv6(Self.address("2001:db8::10"))
        let allocator = V6(owner: "range6", kind: .addresses, store: store(), pools: [Self.range(size: 2)], excluded: [server])
        let now = clock.now()
        let offer = try await allocator.advertise(client(1), ias: [.init(iaid: 1, hints: [server])], pools: ["p"], now: now, holdUntil: now + 30, hostname: nil)
        #expect(granted(try #require(offer[1])) == .ipv6(Self.address("2001:db8::11")))
        #expect(granted(try await commit(allocator, 1, hints: [server])) == .ipv6(Self.address("2001:db8::11")))
        #expect(try await commit(allocator, 2, hints: [server]) == .unavailable)
        let rebind = try await allocator.renew(client(3), ias: [.init(iaid: 1, hints: [server])], pools: ["p"], now: now, rebind: true)
        #expect(rebind == [1: .noBinding])
    }

    @Test func temporaryAddressesAreRandomNeverTheHintAndNotExtended() async throws {
        let pool = V6.PoolSpec(name: "big", space: Self.slash64.space, preferred: .seconds(100), valid: .seconds(200))
        let allocator = V6(owner: "privacy", kind: .temporary, store: store(), pools: [pool])
        let hint = LeaseResource.ipv6(Self.address("2001:db8:1:2::5"))
        let outcome = try await commit(allocator, 1, hints: [hint], pools: ["big"])
        guard case .granted(let lease) = outcome else { Issue.record("\(outcome)"); return }
        #expect(lease.kind == .iaTA && lease.owner == "privacy")
        #expect(lease.resources != [hint])
        // Released and requested again: a new random address, not the same one.
        _ = try await allocator.release(client(1), iaids: [1])
        #expect(granted(try await commit(allocator, 1, pools: ["big"])) != lease.resources.first)
        let current = try #require(granted(try await commit(allocator, 1, pools: ["big"])), "the IA is held: kept")
        clock.advance(by: .seconds(50))
        let renewed = try await allocator.renew(client(1), ias: [.init(iaid: 1)], pools: ["big"], now: clock.now(), rebind: false)
        guard case .granted(let kept) = renewed[1] else { Issue.record("\(renewed)"); return }
        #expect(kept.resources == [current])
        #expect(kept.expiresAt == clock.now() + 150, "valid until its original end, not extended")
    }

    @Test func prefixDelegationHonoursLengthsExclusionsAndExhaustion() async throws {
        let excluded = Self.prefix("2001:db8:0:4::/62")
        let pool = V6.PoolSpec(
            name: "pd", space: .prefixes(Self.prefix("2001:db8::/60"), delegatedLength: 62, excluded: [excluded]),
            preferred: .seconds(300), valid: .seconds(600))
        let allocator = V6(owner: "prefix", kind: .prefixes, store: store(), pools: [pool])
        var got = Set<LeaseResource>()
        for n in 1...3 {
            let outcome = try await commit(allocator, n, pools: ["pd"])
            guard case .granted(let lease) = outcome, case .prefix(let delegated) = lease.resources.first else {
                Issue.record("client \(n): \(outcome)")
                continue
            }
            #expect(lease.kind == .iaPD && lease.owner == "prefix")
            #expect(delegated.length == 62)
            #expect(Self.prefix("2001:db8::/60").contains(delegated.address))
            #expect(delegated != excluded)
            got.insert(.prefix(delegated))
        }
        #expect(got.count == 3)
        #expect(try await commit(allocator, 4, pools: ["pd"]) == .unavailable, "4 prefixes, one excluded")
        #expect(try await commit(allocator, 5, hints: [.prefix(excluded)], pools: ["pd"]) == .unavailable, "not even when asked for")
        let usage = try #require(await allocator.usage(now: clock.now())["pd"])
        #expect(usage == PoolUsage(size: 4, free: 0, offered: 0))
        // CONFIRM: anything inside the pool's prefix is on link, whatever its length.
        #expect(await allocator.onLink([.prefix(Self.prefix("2001:db8:0:8::/61")), .prefix(Self.prefix("2001:db8::/60"))], pools: ["pd"]))
        #expect(await !allocator.onLink([.prefix(Self.prefix("2001:db8::/59"))], pools: ["pd"]))
        #expect(await !allocator.onLink([.prefix(Self.prefix("2001:db8:0:10::/62"))], pools: ["pd"]))
        #expect(await !allocator.onLink([.ipv6(Self.address("2001:db8::1"))], pools: ["pd"]))
    }

    @Test func aHintedPrefixIsDelegatedWhenFree() async throws {
        let pool = V6.PoolSpec(
            name: "pd", space: .prefixes(Self.prefix("2001:db8:100::/40"), delegatedLength: 56, excluded: []),
            preferred: .seconds(300), valid: .seconds(600))
        let allocator = V6(owner: "prefix", kind: .prefixes, store: store(), pools: [pool])
        let wanted = LeaseResource.prefix(Self.prefix("2001:db8:1ab:cd00::/56"))
        #expect(granted(try await commit(allocator, 1, hints: [wanted], pools: ["pd"])) == wanted)
        let wrongLength = LeaseResource.prefix(Self.prefix("2001:db8:1ab:ce00::/60"))
        let other = try #require(granted(try await commit(allocator, 2, hints: [wrongLength], pools: ["pd"])))
        guard case .prefix(let delegated) = other else { Issue.record("\(other)"); return }
        #expect(delegated.length == 56)
        #expect(await allocator.usage(now: clock.now())["pd"] == PoolUsage(size: 65_536, free: 65_534, offered: 0))
    }

    @Test func aReservedPrefixOfAnotherLengthKeepsItsDelegatedPrefixOut() async throws {
        // /62 into /64: 4 prefixes; static6 reserves a /68 inside the second one.
        let pool = V6.PoolSpec(
            name: "pd", space: .prefixes(Self.prefix("2001:db8:0:4::/62"), delegatedLength: 64, excluded: []),
            preferred: .seconds(300), valid: .seconds(600))
        let reservation = LeaseResource.prefix(Self.prefix("2001:db8:0:5:1000::/68"))
        let covering = LeaseResource.prefix(Self.prefix("2001:db8:0:5::/64"))
        let allocator = V6(owner: "prefix", kind: .prefixes, store: store(), pools: [pool], excluded: [reservation])
        var got = Set<LeaseResource>()
        for n in 1...3 {
            let resource = try #require(granted(try await commit(allocator, n, hints: [covering], pools: ["pd"])))
            got.insert(resource)
        }
        #expect(got.count == 3)
        #expect(!got.contains(covering), "overlaps the reservation: never delegated, not even when asked for")
        #expect(try await commit(allocator, 5, pools: ["pd"]) == .unavailable)
        await allocator.setExcluded([])
        #expect(granted(try await commit(allocator, 5, pools: ["pd"])) == covering)
    }

    @Test func anAdvertisementHoldsItsAddressUntilTheHoldEnds() async throws {
        let allocator = V6(owner: "range6", kind: .addresses, store: store(), pools: [Self.range(size: 1)])
        let now = clock.now()
        let offer = try await allocator.advertise(client(1), ias: [.init(iaid: 1)], pools: ["p"], now: now, holdUntil: now + 30, hostname: "a")
        guard case .granted(let proposal) = offer[1] else { Issue.record("\(offer)"); return }
        #expect(proposal.state == .offered && proposal.hostname == "a")
        #expect(await allocator.usage(now: now)["p"] == PoolUsage(size: 1, free: 0, offered: 1))
        let other = try await allocator.advertise(client(2), ias: [.init(iaid: 1)], pools: ["p"], now: now, holdUntil: now + 30, hostname: nil)
        #expect(other == [1: .unavailable])
        #expect(try await commit(allocator, 2) == .unavailable, "held for client 1")
        // The hold lapses: client 2 may have it.
        clock.advance(by: .seconds(31))
        #expect(granted(try await commit(allocator, 2)) == proposal.resources.first)
        #expect(try await commit(allocator, 1) == .unavailable)
    }

    @Test func aCommitHonoursTheAdvertisement() async throws {
        let allocator = V6(owner: "range6", kind: .addresses, store: store(), pools: [Self.range(size: 64)])
        let now = clock.now()
        let offer = try await allocator.advertise(client(1), ias: [.init(iaid: 3)], pools: ["p"], now: now, holdUntil: now + 30, hostname: nil)
        guard case .granted(let proposal) = offer[3] else { Issue.record("\(offer)"); return }
        let outcome = try await commit(allocator, 1, iaid: 3)
        #expect(granted(outcome) == proposal.resources.first)
        #expect(await allocator.usage(now: now)["p"] == PoolUsage(size: 64, free: 63, offered: 0))
        // A second SOLICIT proposes the lease the client now holds.
        let again = try await allocator.advertise(client(1), ias: [.init(iaid: 3)], pools: ["p"], now: now, holdUntil: now + 30, hostname: nil)
        guard case .granted(let repeated) = again[3] else { Issue.record("\(again)"); return }
        #expect(repeated.resources == proposal.resources)
    }

    @Test func severalIAsAreCommittedInOneTransaction() async throws {
        let store = store()
        let allocator = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 16)])
        let outcomes = try await allocator.commit(
            client(1), ias: [.init(iaid: 1), .init(iaid: 2), .init(iaid: 3)], pools: ["p"], now: clock.now(), hostname: "h")
        #expect(outcomes.count == 3)
        let leases = await store.read(client(1))
        #expect(leases.map(\.iaid).sorted() == [1, 2, 3])
        #expect(Set(leases.flatMap(\.resources)).count == 3)
        #expect(Set(leases.map(\.version)).count == 1, "one commit: one version for all three")
        #expect(leases.allSatisfy { $0.hostname == "h" })
    }

    @Test func renewAndRebindOutcomes() async throws {
        let store = store()
        let other = Self.range("q", size: 16)
        let otherSpace: V6.PoolSpec = {
            var spec = other
            spec.space = .addresses(first: Self.address("2001:db8:9::10"), last: Self.address("2001:db8:9::1f"))
            return spec
        }()
        let allocator = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 16), otherSpace])
        let held = try #require(granted(try await commit(allocator, 1)))
        clock.advance(by: .seconds(100))
        let renewed = try await allocator.renew(
            client(1), ias: [.init(iaid: 1), .init(iaid: 2)], pools: ["p"], now: clock.now(), rebind: false)
        guard case .granted(let lease) = renewed[1] else { Issue.record("\(renewed)"); return }
        #expect(lease.resources == [held])
        #expect(lease.expiresAt == clock.now() + 600)
        #expect(lease.elements.first?.preferredUntil == clock.now() + 300)
        #expect(await store.read(client(1)).first?.expiresAt == clock.now() + 600, "stored")
        #expect(renewed[2] == .noBinding)
        // The client moved to the link of pool q.
        let moved = try await allocator.renew(client(1), ias: [.init(iaid: 1)], pools: ["q"], now: clock.now(), rebind: true)
        #expect(moved == [1: .notOnLink])
        // REBIND of an IA we do not know: granted when its addresses are free and ours.
        let free = LeaseResource.ipv6(Self.address("2001:db8::1a"))
        let rebound = try await allocator.renew(client(2), ias: [.init(iaid: 5, hints: [free])], pools: ["p"], now: clock.now(), rebind: true)
        #expect(granted(try #require(rebound[5])) == free)
        #expect(await store.holder(of: free)?.client == client(2))
        let taken = try await allocator.renew(client(3), ias: [.init(iaid: 5, hints: [free])], pools: ["p"], now: clock.now(), rebind: true)
        #expect(taken == [5: .noBinding], "held by client 2")
        let elsewhere = LeaseResource.ipv6(Self.address("2001:db8:77::1"))
        let foreign = try await allocator.renew(client(3), ias: [.init(iaid: 6, hints: [elsewhere])], pools: ["p"], now: clock.now(), rebind: true)
        #expect(foreign == [6: .noBinding])
        let renewUnknown = try await allocator.renew(client(3), ias: [.init(iaid: 7, hints: [.ipv6(Self.address("2001:db8::1b"))])], pools: ["p"], now: clock.now(), rebind: false)
        #expect(renewUnknown == [7: .noBinding], "RENEW never creates")
    }

    @Test func aRenewReactivatesALeaseReclaimedButStillHeldForTheClient() async throws {
        let store = store(hold: .seconds(3600))
        let allocator = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 4)])
        let held = try #require(granted(try await commit(allocator, 1)))
        clock.advance(by: .seconds(601))
        _ = try await store.reclaimExpired(limit: 10, timeBudget: .seconds(1))
        #expect(await store.read(client(1)).first?.state == .expired)
        let renewed = try await allocator.renew(client(1), ias: [.init(iaid: 1)], pools: ["p"], now: clock.now(), rebind: false)
        guard case .granted(let lease) = renewed[1] else { Issue.record("\(renewed)"); return }
        #expect(lease.resources == [held] && lease.state == .active && lease.expiresAt == clock.now() + 600)
        #expect(await store.read(client(1)).first?.state == .active)
    }

    @Test func aDeclinedAddressIsQuarantined() async throws {
        let store = store()
        let allocator = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 1)])
        allocator.handleExpiry()
        guard case .ipv6(let address) = try #require(granted(try await commit(allocator, 1))) else { Issue.record("no address"); return }
        let until = clock.now() + 1000
        #expect(try await allocator.decline(client(1), addresses: [address], until: until) == 1)
        #expect(await store.read(client(1)).isEmpty, "the lease had nothing else: gone")
        let quarantine = try #require(await store.holder(of: .ipv6(address)))
        #expect(quarantine.client == V6.quarantineHolder(for: address))
        #expect(quarantine.lease.state == .declined && quarantine.lease.expiresAt == until)
        #expect(try await commit(allocator, 2) == .unavailable)
        #expect(try await commit(allocator, 1) == .unavailable, "not even for the client that declined it")
        clock.advance(by: .seconds(1001))
        _ = try await store.reclaimExpired(limit: 10, timeBudget: .seconds(1))
        #expect(granted(try await commit(allocator, 2)) == .ipv6(address))
    }

    @Test func rebuildMarksWhatTheStoreHoldsAsTaken() async throws {
        let store = store()
        let first = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 4)])
        var held = Set<LeaseResource>()
        for n in 1...3 { held.insert(try #require(granted(try await commit(first, n)))) }
        let second = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 4)])
        try await second.rebuild()
        #expect(await second.usage(now: clock.now())["p"] == PoolUsage(size: 4, free: 1, offered: 0))
        let last = try #require(granted(try await commit(second, 9)))
        #expect(!held.contains(last))
        #expect(try await commit(second, 10) == .unavailable)
    }

    @Test func anotherWritersLeaseSeenInTheChangeStreamIsTaken() async throws {
        let store = store()
        let allocator = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 2)])
        var changes = store.changes().makeAsyncIterator()
        // A static6 reservation writes its own lease for a client.
        let reserved = LeaseResource.ipv6(Self.address("2001:db8::10"))
        _ = try await store.transact(client(50), writer: "static6") { tx in
            tx.leases = [Lease(kind: .iaNA, iaid: 1, elements: [LeaseElement(reserved)], expiresAt: clock.now() + 600, owner: "static6")]
        }
        guard case .change(let change) = await changes.next() else { Issue.record("no change"); return }
        await allocator.apply(change)
        #expect(await allocator.usage(now: clock.now())["p"] == PoolUsage(size: 2, free: 1, offered: 0))
        #expect(granted(try await commit(allocator, 1, hints: [reserved])) == .ipv6(Self.address("2001:db8::11")))
        #expect(try await commit(allocator, 2) == .unavailable)
        // Its IA belongs to static6: range6 leaves it alone.
        #expect(try await commit(allocator, 50) == .unavailable)
        #expect(await store.read(client(50)).map(\.owner) == ["static6"])
    }

    @Test func followKeepsTheViewInStepWithTheStore() async throws {
        let store = store()
        let allocator = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 3)])
        let changes = store.changes()  // subscribed before the writes below
        let following = Task { await allocator.follow(changes) }
        defer { following.cancel() }
        // Another server (same owner, unaware allocator) commits twice on the shared store.
        let elsewhere = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 3)])
        for n in 1...2 { _ = try await commit(elsewhere, n) }
        var usage = await allocator.usage(now: clock.now())["p"]
        for _ in 0..<500 where usage?.free != 1 {
            try await Task.sleep(for: .milliseconds(10))
            usage = await allocator.usage(now: clock.now())["p"]
        }
        #expect(usage == PoolUsage(size: 3, free: 1, offered: 0))
        _ = try await elsewhere.release(client(1), iaids: [1])
        for _ in 0..<500 where usage?.free != 2 {
            try await Task.sleep(for: .milliseconds(10))
            usage = await allocator.usage(now: clock.now())["p"]
        }
        #expect(usage == PoolUsage(size: 3, free: 2, offered: 0))
    }

    @Test func anAdvertisedAddressTakenElsewhereIsNotFreedByTheCommit() async throws {
        let store = store()
        let allocator = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 3)])
        let now = clock.now()
        let offer = try await allocator.advertise(client(1), ias: [.init(iaid: 1)], pools: ["p"], now: now, holdUntil: now + 30, hostname: nil)
        let proposal = try #require(offer[1])
        let advertised = try #require(granted(proposal))
        // Another server gives the advertised address to client 2 meanwhile.
        let elsewhere = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 3)])
        #expect(granted(try await commit(elsewhere, 2, hints: [advertised])) == advertised)
        let got = try #require(granted(try await commit(allocator, 1)))
        #expect(got != advertised)
        // Our view still counts the advertised address as taken: only one is left.
        #expect(await allocator.usage(now: now)["p"] == PoolUsage(size: 3, free: 1, offered: 0))
    }

    @Test func twoConcurrentCommitsForOneAddressGiveItToExactlyOneClient() async throws {
        let store = store()
        // Two allocators (two servers on one store), neither told of the other's leases.
        let a = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 1)])
        let b = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range(size: 1)])
        async let first = commit(a, 1)
        async let second = commit(b, 2)
        let outcomes = try await [first, second]
        #expect(outcomes.filter { granted($0) != nil }.count == 1, "\(outcomes)")
        #expect(outcomes.contains(.unavailable))
        // One allocator, many clients at once: each address to one client.
        let shared = V6(owner: "range6", kind: .addresses, store: store, pools: [Self.range("p", size: 9)])
        let results = try await withThrowingTaskGroup(of: LeaseResource?.self) { group in
            for n in 10..<30 { group.addTask { granted(try await commit(shared, n)) } }
            return try await group.reduce(into: [LeaseResource?]()) { $0.append($1) }
        }
        let won = results.compactMap { $0 }
        #expect(won.count == 8, "9 addresses, one held by the first pair")
        #expect(Set(won).count == won.count)
    }

    @Test func usageCountsTakenAndOffered() async throws {
        let allocator = V6(
            owner: "range6", kind: .addresses, store: store(), pools: [Self.range(size: 10)],
            excluded: [.ipv6(Self.address("2001:db8::10"))])
        for n in 1...3 { _ = try await commit(allocator, n) }
        let now = clock.now()
        for n in 4...5 {
            _ = try await allocator.advertise(client(n), ias: [.init(iaid: 1)], pools: ["p"], now: now, holdUntil: now + 30, hostname: nil)
        }
        #expect(await allocator.usage(now: now)["p"] == PoolUsage(size: 10, free: 4, offered: 2))
        #expect(await allocator.usage(now: now + 31)["p"] == PoolUsage(size: 10, free: 6, offered: 0))
        await allocator.setExcluded([])
        #expect(await allocator.usage(now: now + 31)["p"] == PoolUsage(size: 10, free: 7, offered: 0))
    }
}
