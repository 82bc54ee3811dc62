import Allocation
import DHCPWire
import Testing

@Suite("Address pools")
struct IPv4PoolTests {
    @Test(arguments: [1, 63, 64, 65, 200, 1000])
    func allocatesEveryAddressOnceThenReportsExhaustion(_ size: Int) throws {
        let first = IPv4Address(192, 0, 2, 0)
        var pool = try #require(IPv4Pool(name: "p", first: first, last: IPv4Address(first.rawValue + UInt32(size - 1))))
        var seen = Set<IPv4Address>()
        while let address = pool.allocate() {
            #expect(pool.contains(address))
            #expect(seen.insert(address).inserted, "handed out twice: \(address)")
        }
        #expect(seen.count == size)
        #expect(pool.freeCount == 0)
        let afterExhaustion = pool.allocate()
        #expect(afterExhaustion == nil)
    }

    @Test func skipsTakenAddressesAndReusesFreedOnes() throws {
        var pool = try #require(IPv4Pool(name: "p", first: IPv4Address(192, 0, 2, 10), last: IPv4Address(192, 0, 2, 13)))
        let tookFirst = pool.take(IPv4Address(192, 0, 2, 10))
        let tookAgain = pool.take(IPv4Address(192, 0, 2, 10))
        let tookOutside = pool.take(IPv4Address(192, 0, 2, 99))
        #expect(tookFirst)
        #expect(!tookAgain, "already taken")
        #expect(!tookOutside, "outside the pool")
        let allocated = [pool.allocate(), pool.allocate(), pool.allocate(), pool.allocate()]
        #expect(allocated == [IPv4Address(192, 0, 2, 11), IPv4Address(192, 0, 2, 12), IPv4Address(192, 0, 2, 13), nil])
        let freed = pool.free(IPv4Address(192, 0, 2, 12))
        let freedAgain = pool.free(IPv4Address(192, 0, 2, 12))
        #expect(freed)
        #expect(!freedAgain, "already free")
        let reused = pool.allocate()
        #expect(reused == IPv4Address(192, 0, 2, 12))
    }

    @Test func rejectsAnInvertedRange() {
        #expect(IPv4Pool(name: "p", first: IPv4Address(192, 0, 2, 2), last: IPv4Address(192, 0, 2, 1)) == nil)
    }

    @Test func bitmapCountsStayConsistentUnderRandomUse() {
        var bitmap = AddressBitmap(size: 517)
        var model = Set<Int>()
        var generator = SplitMix64(seed: 42)
        for _ in 0..<20_000 {
            let offset = Int(generator.next() % 530)
            switch generator.next() % 3 {
            case 0:
                let took = bitmap.take(offset)
                #expect(took == (offset < 517 && model.insert(offset).inserted))
            case 1:
                let freed = bitmap.free(offset)
                #expect(freed == (model.remove(offset) != nil))
            default:
                if let taken = bitmap.takeNext() {
                    #expect(model.insert(taken).inserted)
                } else {
                    #expect(model.count == 517)
                }
            }
            #expect(bitmap.takenCount == model.count)
        }
    }
}
