import DHCPWire
import LeaseStore

/// The slots 0...maxIndex of a pool of any size (up to 2^128), with which of them are taken.
///
/// Small spaces (at most `bitmapLimit` slots) keep an `AddressBitmap`: amortised O(1)
/// allocation and exact exhaustion. Larger ones (an IPv6 /64 has 2^64 addresses) are never
/// materialised: they keep the set of taken slots, plus blocked ranges (exclusions), and
/// allocate by probing candidates derived from a seed (a stable hash of client and IAID, so a
/// client tends to get the same slot back, as with Kea's hashed allocator), then a short
/// linear walk, before declaring exhaustion.
struct IndexSpace: Sendable {
    /// Hashed candidates tried in a sparse space before the linear walk.
    static let sparseProbes = 64
    /// Slots walked after the hashed candidates in a sparse space.
    static let sparseWalk: UInt128 = 4096

    let maxIndex: UInt128
    private var bitmap: AddressBitmap?
    private var taken: Set<UInt128> = []
    /// Sparse spaces only: ranges that are never handed out, sorted and disjoint.
    private var blocked: [ClosedRange<UInt128>] = []
    private var blockedCount: UInt128 = 0

    init(maxIndex: UInt128, bitmapLimit: UInt64) {
        self.maxIndex = maxIndex
        if maxIndex < UInt128(bitmapLimit) { bitmap = AddressBitmap(size: Int(maxIndex) + 1) }
    }

    /// Slots in the space, clamped at UInt64.max (a space of 2^64 slots or more).
    var size: UInt64 { Self.size(maxIndex: maxIndex) }

    /// The slots of a space 0...maxIndex, clamped at UInt64.max.
    static func size(maxIndex: UInt128) -> UInt64 { maxIndex >= UInt128(UInt64.max) ? .max : UInt64(maxIndex) + 1 }

    var takenCount: UInt64 {
        if let bitmap { return UInt64(bitmap.takenCount) }
        return UInt64(clamping: UInt128(taken.count) + blockedCount)
    }

    var freeCount: UInt64 {
        let taken = takenCount
        return size > taken ? size - taken : 0
    }

    func isTaken(_ index: UInt128) -> Bool {
        guard index <= maxIndex else { return true }
        if let bitmap { return bitmap.isTaken(Int(index)) }
        return taken.contains(index) || isBlocked(index)
    }

    @discardableResult
    mutating func take(_ index: UInt128) -> Bool {
        guard !isTaken(index) else { return false }
        if bitmap != nil { return bitmap?.take(Int(index)) ?? false }
        return taken.insert(index).inserted
    }

    @discardableResult
    mutating func free(_ index: UInt128) -> Bool {
        guard index <= maxIndex else { return false }
        if bitmap != nil { return bitmap?.free(Int(index)) ?? false }
        return taken.remove(index) != nil
    }

    /// Marks a whole range as never available (excluded prefixes). Freed ranges of a bitmap
    /// space are taken slot by slot; a sparse space keeps the range.
    mutating func block(_ range: ClosedRange<UInt128>) {
        guard range.lowerBound <= maxIndex else { return }
        let range = range.lowerBound...min(range.upperBound, maxIndex)
        if bitmap != nil {
            for index in range { bitmap?.take(Int(index)) }
            return
        }
        taken = taken.filter { !range.contains($0) }
        var merged: [ClosedRange<UInt128>] = []
        for next in (blocked + [range]).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, next.lowerBound <= last.upperBound || next.lowerBound == last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, next.upperBound)
            } else {
                merged.append(next)
            }
        }
        blocked = merged
        // A count of 2^128 cannot be represented: saturate (the space is then all blocked).
        var total: UInt128 = 0
        for range in merged {
            let (count, overflow) = (range.upperBound - range.lowerBound).addingReportingOverflow(1)
            let (sum, sumOverflow) = total.addingReportingOverflow(count)
            if overflow || sumOverflow {
                total = .max
                break
            }
            total = sum
        }
        blockedCount = total
    }

    /// Takes and returns a free slot, trying the candidates `seed` derives first.
    mutating func allocate(seed: UInt64) -> UInt128? {
        guard freeCount > 0 else { return nil }
        if bitmap != nil {
            // One hashed candidate (stickiness), then the bitmap's rotating scan.
            let candidate = Self.candidate(seed: seed, attempt: 0, maxIndex: maxIndex)
            if take(candidate) { return candidate }
            return bitmap?.takeNext().map { UInt128($0) }
        }
        for attempt in 0..<Self.sparseProbes {
            let candidate = Self.candidate(seed: seed, attempt: UInt64(attempt), maxIndex: maxIndex)
            if take(candidate) { return candidate }
        }
        var index = Self.candidate(seed: seed, attempt: UInt64(Self.sparseProbes), maxIndex: maxIndex)
        for _ in 0..<Self.sparseWalk {
            if take(index) { return index }
            index = index == maxIndex ? 0 : index + 1
        }
        return nil
    }

    private func isBlocked(_ index: UInt128) -> Bool {
        // Binary search for the last range starting at or before `index`.
        var low = 0, high = blocked.count
        while low < high {
            let mid = (low + high) / 2
            if blocked[mid].lowerBound <= index { low = mid + 1 } else { high = mid }
        }
        return low > 0 && blocked[low - 1].contains(index)
    }

    /// The `attempt`th candidate for `seed`, uniform enough over 0...maxIndex.
    static func candidate(seed: UInt64, attempt: UInt64, maxIndex: UInt128) -> UInt128 {
        var generator = SplitMix64(seed: seed ^ (attempt &* 0xD6E8_FEB8_6659_FD93))
        let value = UInt128(generator.next()) << 64 | UInt128(generator.next())
        return maxIndex == .max ? value : value % (maxIndex + 1)
    }
}

/// A seed that stays the same for one client and IAID across restarts and processes (Swift's
/// `Hasher` is seeded per process, so it cannot serve): FNV-1a over the client's storage key
/// and the IAID.
func stableSeed(_ client: ClientID, iaid: UInt32) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    let iaidBytes = (0..<4).map { UInt8(truncatingIfNeeded: iaid >> (24 - 8 * $0)) }
    for byte in client.storageKey + iaidBytes {
        hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
    }
    return hash
}

extension IPv6Address {
    /// The address as one 128-bit number.
    var value: UInt128 { UInt128(high) << 64 | UInt128(low) }

    init(value: UInt128) {
        self.init(high: UInt64(truncatingIfNeeded: value >> 64), low: UInt64(truncatingIfNeeded: value))
    }
}
