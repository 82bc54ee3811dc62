import Allocation
import DHCPWire
import Testing

@Suite("IPv6 address and prefix pools")
struct IPv6PoolTests {
    func address(_ text: String) -> IPv6Address { IPv6Address(text)! }
    func prefix(_ text: String) -> IPv6Prefix { IPv6Prefix(text)! }

    @Test(arguments: [1, 63, 64, 65, 1000])
    func aSmallRangeHandsOutEveryAddressOnceThenReportsExhaustion(_ size: Int) throws {
        let first = address("2001:db8::1:0")
        let last = IPv6Address(high: first.high, low: first.low + UInt64(size - 1))
        var pool = try #require(IPv6AddressPool(name: "p", first: first, last: last))
        #expect(pool.size == UInt64(size))
        var seen = Set<IPv6Address>()
        var seed: UInt64 = 1
        while let address = pool.allocate(seed: seed) {
            #expect(pool.contains(address))
            #expect(seen.insert(address).inserted, "handed out twice: \(address)")
            seed &+= 7
        }
        #expect(seen.count == size)
        #expect(pool.freeCount == 0)
    }

    @Test func aSlash64IsNeverMaterialisedAndHandsOutDistinctAddresses() throws {
        let first = address("2001:db8:1:2::")
        var pool = try #require(IPv6AddressPool(name: "p", first: first, last: address("2001:db8:1:2:ffff:ffff:ffff:ffff")))
        #expect(pool.size == .max, "2^64 addresses clamp at UInt64.max")
        var seen = Set<IPv6Address>()
        for seed in 0..<50_000 as Range<UInt64> {
            let allocated = pool.allocate(seed: seed)
            let address = try #require(allocated)
            #expect(address.high == first.high)
            #expect(seen.insert(address).inserted)
        }
        #expect(pool.takenCount == 50_000)
        #expect(pool.freeCount == UInt64.max - 50_000)
        let some = try #require(seen.first)
        let freed = pool.free(some), freedAgain = pool.free(some)
        #expect(freed)
        #expect(!freedAgain, "already free")
        let took = pool.take(some), tookAgain = pool.take(some)
        #expect(took)
        #expect(!tookAgain, "already taken")
    }

    @Test func theSameSeedFindsTheSameAddressAgainWhenItIsFree() throws {
        var pool = try #require(IPv6AddressPool(name: "p", first: address("2001:db8::"), last: address("2001:db8::ffff:ffff:ffff:ffff")))
        let allocatedFirst = pool.allocate(seed: 42)
        let first = try #require(allocatedFirst)
        let allocatedOther = pool.allocate(seed: 43)
        let other = try #require(allocatedOther)
        #expect(first != other)
        pool.free(first)
        let again = pool.allocate(seed: 42)
        #expect(again == first)
        // Taken meanwhile: the same seed moves on to another address.
        let allocatedNext = pool.allocate(seed: 42)
        let next = try #require(allocatedNext)
        #expect(next != first)
    }

    @Test func rangesOfAnySizeWork() throws {
        // Larger than 2^64 (a /63) and the whole address space.
        for (first, last) in [("2001:db8::", "2001:db8:0:1:ffff:ffff:ffff:ffff"), ("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")] {
            var pool = try #require(IPv6AddressPool(name: "p", first: address(first), last: address(last)))
            #expect(pool.size == .max)
            var seen = Set<IPv6Address>()
            for seed in 0..<1000 as Range<UInt64> {
                let allocated = pool.allocate(seed: seed)
                let address = try #require(allocated)
                #expect(pool.contains(address))
                seen.insert(address)
            }
            #expect(seen.count == 1000)
        }
        #expect(IPv6AddressPool(name: "p", first: address("2001:db8::2"), last: address("2001:db8::1")) == nil)
    }

    @Test func aPrefixPoolDelegatesPrefixesOfItsLengthInsideIt() throws {
        var pool = try #require(IPv6PrefixPool(name: "pd", prefix: prefix("2001:db8:100::/40"), delegatedLength: 56))
        #expect(pool.size == 65_536)
        var seen = Set<IPv6Prefix>()
        for seed in 0..<1000 as Range<UInt64> {
            let allocated = pool.allocate(seed: seed)
            let delegated = try #require(allocated)
            #expect(delegated.length == 56)
            #expect(pool.prefix.contains(delegated.address))
            #expect(seen.insert(delegated).inserted)
        }
        #expect(pool.freeCount == 65_536 - 1000)
        #expect(IPv6PrefixPool(name: "pd", prefix: prefix("2001:db8::/48"), delegatedLength: 40) == nil, "shorter than the pool")
    }

    @Test func excludedPrefixesAreNeverDelegated() throws {
        // /56 into /60: 16 prefixes; a /58 covers 4 of them, a /64 one more.
        let excluded = [prefix("2001:db8:0:40::/58"), prefix("2001:db8:0:f0::/64")]
        var pool = try #require(IPv6PrefixPool(name: "pd", prefix: prefix("2001:db8::/56"), delegatedLength: 60, excluded: excluded))
        #expect(pool.freeCount == 11)
        var got: [IPv6Prefix] = []
        while let delegated = pool.allocate(seed: UInt64(got.count)) { got.append(delegated) }
        #expect(got.count == 11)
        for delegated in got {
            #expect(!excluded.contains { $0.contains(delegated.address) || delegated.contains($0.address) }, "\(delegated) overlaps an exclusion")
        }
    }

    @Test func aHugePrefixPoolUsesTheHashedStrategy() throws {
        // 2001:db8::/32 into /64: 2^32 prefixes, an excluded /48 among them.
        let excluded = prefix("2001:db8:5::/48")
        var pool = try #require(IPv6PrefixPool(name: "pd", prefix: prefix("2001:db8::/32"), delegatedLength: 64, excluded: [excluded]))
        #expect(pool.size == 1 << 32)
        #expect(pool.freeCount == (1 << 32) - (1 << 16))
        var seen = Set<IPv6Prefix>()
        for seed in 0..<5000 as Range<UInt64> {
            let allocated = pool.allocate(seed: seed)
            let delegated = try #require(allocated)
            #expect(delegated.length == 64 && pool.prefix.contains(delegated.address) && !excluded.contains(delegated.address))
            #expect(seen.insert(delegated).inserted)
        }
        let tookExcluded = pool.take(prefix("2001:db8:5:7::/64"))
        #expect(!tookExcluded, "excluded")
    }
}
