/// Which offsets of a range are taken, with allocation in amortised O(1): a rotating cursor
/// walks 64-bit words and skips full ones, so finding a free slot costs a word scan, not a
/// scan of the pool, and successive allocations spread over the range (a released address is
/// not handed straight to the next client, which helps clients that still cache it).
public struct AddressBitmap: Sendable, Hashable {
    public let size: Int
    private var words: [UInt64]
    public private(set) var takenCount = 0
    private var cursor = 0  // word index where the next search starts

    public init(size: Int) {
        precondition(size >= 0, "a pool cannot have a negative size")
        self.size = size
        words = Array(repeating: 0, count: (size + 63) / 64)
        // Bits past the end are permanently taken so searches never return them.
        if size % 64 != 0, let last = words.indices.last { words[last] = ~0 << UInt64(size % 64) }
    }

    public var freeCount: Int { size - takenCount }

    public func isTaken(_ offset: Int) -> Bool {
        guard offset >= 0, offset < size else { return true }
        return words[offset >> 6] & (1 << UInt64(offset & 63)) != 0
    }

    /// Marks `offset` taken; returns false if it already was (or is out of range).
    @discardableResult
    public mutating func take(_ offset: Int) -> Bool {
        guard offset >= 0, offset < size, !isTaken(offset) else { return false }
        words[offset >> 6] |= 1 << UInt64(offset & 63)
        takenCount += 1
        return true
    }

    /// Marks `offset` free; returns false if it already was.
    @discardableResult
    public mutating func free(_ offset: Int) -> Bool {
        guard offset >= 0, offset < size, isTaken(offset) else { return false }
        words[offset >> 6] &= ~(1 << UInt64(offset & 63))
        takenCount -= 1
        return true
    }

    /// Takes and returns a free offset, or nil when the range is full.
    public mutating func takeNext() -> Int? {
        guard takenCount < size, !words.isEmpty else { return nil }
        for step in 0..<words.count {
            let index = (cursor + step) % words.count
            let word = words[index]
            if word == .max { continue }
            let bit = (~word).trailingZeroBitCount
            let offset = index << 6 | bit
            words[index] |= 1 << UInt64(bit)
            takenCount += 1
            // Stay on this word while it has room; move on once it fills.
            cursor = words[index] == .max ? (index + 1) % words.count : index
            return offset
        }
        return nil
    }
}
