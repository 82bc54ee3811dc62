import Dashboard
import Foundation
import LessorControl
import Testing

/// IPv6 pools are far too large for a free count: the panel shows what is assigned and of how
/// much, and a share that is not rounded down to nothing.
@Suite("Huge pools in the pools panel")
struct HugePoolTests {
    func poolLine(_ pool: PoolStats) -> String {
        var state = DashboardState()
        _ = state.apply(ControlResponse(id: 1, event: .snapshot, pools: [pool], leases: []), now: Sample.now)
        let grid = state.renderFrame(width: 120, height: 30, now: Sample.now, unicode: true)
        return grid.text.split(separator: "\n").first { $0.hasPrefix(" \(pool.name) ") }.map(String.init) ?? ""
    }

    @Test func aSlash64PoolShowsItsShareAndSizeNotAFreeCount() {
        let pool = PoolStats(
            name: "lan6", subnet: "2001:db8:1::/64", range: "2001:db8:1::-2001:db8:1::ffff:ffff:ffff:ffff", family: "ia_na",
            size: UInt64.max, active: 300, offered: 2, declined: 1, held: 0, free: UInt64.max - 303, leaseTime: 3600)
        let line = poolLine(pool)
        #expect(line.contains("<0.01%"), "\(line)")
        #expect(line.contains("act 300") && line.contains("of 2^64"), "\(line)")
        #expect(!line.contains("free "), "no free count for a /64: \(line)")
    }

    @Test func aPoolOfAFewMillionShowsAUnit() {
        let size: UInt64 = 30_000_000
        let pool = PoolStats(
            name: "big", subnet: "2001:db8:2::/104", range: "2001:db8:2::-2001:db8:2::2d:c6bf", family: "ia_na", size: size,
            active: 45_000, offered: 0, declined: 0, held: 0, free: size - 45_000, leaseTime: 3600)
        let line = poolLine(pool)
        #expect(line.contains("0.15%") && line.contains("of 30M"), "\(line)")
    }

    @Test func smallPoolsKeepTheirExactFreeCount() {
        let pool = PoolStats(
            name: "lan", subnet: "192.0.2.0/24", range: "192.0.2.10-192.0.2.209", size: 200, active: 1, offered: 0, declined: 0,
            held: 0, free: 199, leaseTime: 3600)
        let line = poolLine(pool)
        #expect(line.contains("0.50%") && line.contains("free 199/200"), "\(line)")
    }

    @Test(arguments: [(UInt64(999_999), "999999"), (1 << 20, "2^20"), (UInt64.max, "2^64"), (1_500_000, "1.5M"), (4_300_000_000, "4.3G")])
    func poolSizes(_ size: UInt64, _ text: String) {
        #expect(DashboardFormat.poolSize(size) == text)
    }
}
