/// A bounds-checked cursor over bytes. Every read either returns a value or throws a
/// `WireError` naming the field and the absolute offset; nothing here can trap on input.
///
/// `base` is the absolute offset of `bytes[0]` in the outermost message, so nested readers
/// (an option's payload, a relayed message) still report offsets in the packet as captured.
public struct WireReader: Sendable {
    public let bytes: ArraySlice<UInt8>
    public let base: Int
    public private(set) var position: Int  // index into `bytes`

    public init<Bytes: Collection>(_ bytes: Bytes, base: Int = 0) where Bytes.Element == UInt8 {
        let slice = ArraySlice(bytes)
        self.bytes = slice
        self.base = base
        self.position = slice.startIndex
    }

    /// Absolute offset of the next byte in the outermost message.
    public var offset: Int { base + (position - bytes.startIndex) }
    public var remaining: Int { bytes.endIndex - position }
    public var isAtEnd: Bool { position >= bytes.endIndex }

    private func ensure(_ count: Int, _ field: String) throws(WireError) {
        guard count >= 0, remaining >= count else {
            throw .truncated(field, at: offset, needed: count, available: max(remaining, 0))
        }
    }

    public mutating func readUInt8(_ field: String) throws(WireError) -> UInt8 {
        try ensure(1, field)
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func readUInt16(_ field: String) throws(WireError) -> UInt16 {
        try ensure(2, field)
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    public mutating func readUInt32(_ field: String) throws(WireError) -> UInt32 {
        try ensure(4, field)
        var value: UInt32 = 0
        for i in 0..<4 { value = value << 8 | UInt32(bytes[position + i]) }
        position += 4
        return value
    }

    public mutating func readBytes(_ count: Int, _ field: String) throws(WireError) -> [UInt8] {
        try ensure(count, field)
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    /// A reader over the next `count` bytes that keeps absolute offsets; advances past them.
    public mutating func subReader(_ count: Int, _ field: String) throws(WireError) -> WireReader {
        try ensure(count, field)
        let sub = WireReader(bytes[position..<position + count], base: offset)
        position += count
        return sub
    }

    public mutating func readRest() -> [UInt8] {
        defer { position = bytes.endIndex }
        return Array(bytes[position...])
    }

    public mutating func skip(_ count: Int, _ field: String) throws(WireError) {
        try ensure(count, field)
        position += count
    }

    public mutating func readIPv4(_ field: String) throws(WireError) -> IPv4Address {
        IPv4Address(try readUInt32(field))
    }

    public mutating func readIPv6(_ field: String) throws(WireError) -> IPv6Address {
        let bytes = try readBytes(16, field)
        return IPv6Address(bytes: bytes) ?? .unspecified  // length checked above, cannot be nil
    }
}

/// Appends big-endian fields to a byte array.
public struct WireWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }
    public mutating func write(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
    public mutating func write<Bytes: Sequence>(bytes more: Bytes) where Bytes.Element == UInt8 { bytes.append(contentsOf: more) }
    public mutating func write(_ address: IPv4Address) { write(address.rawValue) }
    public mutating func write(_ address: IPv6Address) { bytes.append(contentsOf: address.bytes) }
    /// Overwrites two bytes at `index` (used to back-patch a length field).
    public mutating func patchUInt16(_ value: UInt16, at index: Int) {
        bytes[index] = UInt8(value >> 8)
        bytes[index + 1] = UInt8(truncatingIfNeeded: value)
    }
    public var count: Int { bytes.count }
}
