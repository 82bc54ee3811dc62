public import DHCPWire

/// An inclusive range of IPv6 addresses handed out for IA_NA (`range6`) or IA_TA (`privacy`).
/// Any size: ranges of up to 2^20 addresses keep a bitmap, larger ones (a /64) only the
/// addresses taken, and pick candidates from a seed (see `IndexSpace`). Like `IPv4Pool` it is
/// a local view; the store's unique index stays the authority.
public struct IPv6AddressPool: Sendable {
    /// Ranges up to this many addresses keep a bitmap.
    public static let bitmapLimit: UInt64 = 1 << 20

    public let name: String
    public let first: IPv6Address
    public let last: IPv6Address
    private var space: IndexSpace

    /// nil when `last` is before `first`.
    public init?(name: String, first: IPv6Address, last: IPv6Address) {
        guard first <= last else { return nil }
        self.name = name
        self.first = first
        self.last = last
        space = IndexSpace(maxIndex: last.value - first.value, bitmapLimit: Self.bitmapLimit)
    }

    /// Addresses in the range, clamped at UInt64.max (ranges of 2^64 addresses or more).
    public var size: UInt64 { space.size }
    public var takenCount: UInt64 { space.takenCount }
    public var freeCount: UInt64 { space.freeCount }

    public func contains(_ address: IPv6Address) -> Bool { first <= address && address <= last }

    public func isTaken(_ address: IPv6Address) -> Bool { contains(address) && space.isTaken(offset(address)) }

    /// Marks an address taken. False if it already was or is not in the range.
    @discardableResult
    public mutating func take(_ address: IPv6Address) -> Bool { contains(address) && space.take(offset(address)) }

    /// Marks an address free again. False if it was not taken or is not in the range.
    @discardableResult
    public mutating func free(_ address: IPv6Address) -> Bool { contains(address) && space.free(offset(address)) }

    /// Takes a free address, trying those `seed` points at first (the same seed tends to get
    /// the same address back); nil when the range is exhausted (or, for a huge range, when
    /// a bounded search found nothing).
    public mutating func allocate(seed: UInt64) -> IPv6Address? {
        space.allocate(seed: seed).map { IPv6Address(value: first.value + $0) }
    }

    private func offset(_ address: IPv6Address) -> UInt128 { address.value - first.value }
}

/// A pool of delegated prefixes for IA_PD (`prefix`): `prefix` cut into prefixes of
/// `delegatedLength` (2001:db8:100::/40 into /56: 65,536 of them), minus every delegated
/// prefix that overlaps one of `excluded`. Up to 2^24 prefixes keep a bitmap over their
/// indices, more keep the taken ones (see `IndexSpace`).
public struct IPv6PrefixPool: Sendable {
    /// Pools of up to this many prefixes keep a bitmap.
    public static let bitmapLimit: UInt64 = 1 << 24

    public let name: String
    public let prefix: IPv6Prefix
    public let delegatedLength: Int
    public let excluded: [IPv6Prefix]
    private var space: IndexSpace

    /// nil when `delegatedLength` is shorter than the pool's prefix or longer than 128.
    public init?(name: String, prefix: IPv6Prefix, delegatedLength: Int, excluded: [IPv6Prefix] = []) {
        guard delegatedLength >= Int(prefix.length), delegatedLength <= 128 else { return nil }
        self.name = name
        self.prefix = prefix
        self.delegatedLength = delegatedLength
        self.excluded = excluded
        let bits = delegatedLength - Int(prefix.length)
        space = IndexSpace(maxIndex: bits == 128 ? .max : (1 << UInt128(bits)) - 1, bitmapLimit: Self.bitmapLimit)
        for excludedPrefix in excluded {
            if let range = indices(overlapping: excludedPrefix) { space.block(range) }
        }
    }

    /// Delegable prefixes, excluded ones included, clamped at UInt64.max.
    public var size: UInt64 { space.size }
    public var takenCount: UInt64 { space.takenCount }
    public var freeCount: UInt64 { space.freeCount }

    /// Whether `delegated` is one of this pool's prefixes (right length, inside the pool).
    public func contains(_ delegated: IPv6Prefix) -> Bool {
        Int(delegated.length) == delegatedLength && prefix.contains(delegated.address)
    }

    /// Whether `other` lies inside the pool's prefix (of any length not shorter than it).
    public func covers(_ other: IPv6Prefix) -> Bool { other.length >= prefix.length && prefix.contains(other.address) }

    public func isTaken(_ delegated: IPv6Prefix) -> Bool {
        guard let index = index(of: delegated) else { return false }
        return space.isTaken(index)
    }

    /// Marks taken every delegable prefix that overlaps `other` (a delegated prefix, or a
    /// reservation of another length). False if none was free.
    @discardableResult
    public mutating func take(_ other: IPv6Prefix) -> Bool { changeOverlapping(other) { $0.take($1) } }

    /// Frees every delegable prefix that overlaps `other`. False if none was taken.
    @discardableResult
    public mutating func free(_ other: IPv6Prefix) -> Bool { changeOverlapping(other) { $0.free($1) } }

    /// Runs `change` on the index of each delegable prefix overlapping `other` (up to
    /// `markLimit` of them); true if any call returned true.
    private mutating func changeOverlapping(_ other: IPv6Prefix, _ change: (inout IndexSpace, UInt128) -> Bool) -> Bool {
        guard let range = indices(overlapping: other), range.upperBound - range.lowerBound < Self.markLimit else { return false }
        var changed = false
        for index in range where change(&space, index) { changed = true }
        return changed
    }

    /// Takes a free delegable prefix, trying those `seed` points at first; nil when the pool
    /// is exhausted.
    public mutating func allocate(seed: UInt64) -> IPv6Prefix? { space.allocate(seed: seed).map(delegated(at:)) }

    /// Prefixes of another length mark at most this many delegable prefixes one by one.
    private static let markLimit: UInt128 = 1 << 16

    private var shift: UInt128 { UInt128(128 - delegatedLength) }

    private func index(of delegated: IPv6Prefix) -> UInt128? {
        guard contains(delegated) else { return nil }
        return (delegated.address.value - prefix.address.value) >> shift
    }

    private func delegated(at index: UInt128) -> IPv6Prefix {
        // Cannot fail: the length is within 0...128 (checked at init).
        IPv6Prefix(address: IPv6Address(value: prefix.address.value + (index << shift)), length: delegatedLength) ?? prefix
    }

    /// The indices of the delegable prefixes that overlap `other`, if any.
    private func indices(overlapping other: IPv6Prefix) -> ClosedRange<UInt128>? {
        if other.length <= prefix.length {
            // As long as the pool or longer: overlaps all of it or none.
            return other.contains(prefix.address) ? 0...space.maxIndex : nil
        }
        guard prefix.contains(other.address) else { return nil }
        let start = (other.address.value - prefix.address.value) >> shift
        guard Int(other.length) < delegatedLength else { return start...start }
        let count = UInt128(1) << UInt128(delegatedLength - Int(other.length))
        return start...(start + count - 1)
    }
}

extension IPv6Allocator.PoolSpec.Space {
    /// Addresses in the range, or delegable prefixes (excluded ones included), clamped at
    /// UInt64.max like the pools' own sizes: a /64 range reports UInt64.max. Exact where
    /// `PoolUsage.size` clamps at Int.max.
    public var size: UInt64 {
        switch self {
        case .addresses(let first, let last):
            guard first <= last else { return 0 }
            return IndexSpace.size(maxIndex: last.value - first.value)
        case .prefixes(let prefix, let delegatedLength, _):
            let bits = delegatedLength - Int(prefix.length)
            guard (0...128).contains(bits) else { return 0 }
            return IndexSpace.size(maxIndex: bits == 128 ? .max : (1 << UInt128(bits)) - 1)
        }
    }
}
