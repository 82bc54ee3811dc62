public import DHCPWire

/// A contiguous range of IPv4 addresses handed out by the `range` plugin. Keeps its own view
/// of which addresses are taken (rebuilt from the store at start, kept current by the
/// allocator and the store's expiry callbacks); the store's unique index stays the authority,
/// so a stale view costs a retry, never a duplicate.
public struct IPv4Pool: Sendable {
    public let name: String
    public let first: IPv4Address
    public let last: IPv4Address
    private var bitmap: AddressBitmap

    /// nil when `last` is before `first`.
    public init?(name: String, first: IPv4Address, last: IPv4Address) {
        guard first <= last else { return nil }
        self.name = name
        self.first = first
        self.last = last
        bitmap = AddressBitmap(size: Int(last.rawValue - first.rawValue) + 1)
    }

    public var size: Int { bitmap.size }
    public var takenCount: Int { bitmap.takenCount }
    public var freeCount: Int { bitmap.freeCount }

    public func contains(_ address: IPv4Address) -> Bool { first <= address && address <= last }

    public func isTaken(_ address: IPv4Address) -> Bool { contains(address) && bitmap.isTaken(offset(address)) }

    /// Marks an address taken (held by a lease, reserved, or found in use). False if it already was.
    @discardableResult
    public mutating func take(_ address: IPv4Address) -> Bool {
        contains(address) && bitmap.take(offset(address))
    }

    /// Marks an address free again. False if it was not taken or is not in the pool.
    @discardableResult
    public mutating func free(_ address: IPv4Address) -> Bool {
        contains(address) && bitmap.free(offset(address))
    }

    /// Takes a free address, or nil when the pool is exhausted.
    public mutating func allocate() -> IPv4Address? {
        bitmap.takeNext().map { IPv4Address(first.rawValue + UInt32($0)) }
    }

    private func offset(_ address: IPv4Address) -> Int { Int(address.rawValue - first.rawValue) }
}
