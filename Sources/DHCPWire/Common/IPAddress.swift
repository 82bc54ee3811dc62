/// An IPv4 address, stored host-order as a 32-bit integer so arithmetic on pools is cheap.
public struct IPv4Address: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, RawRepresentable {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad text ("192.0.2.1"); nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        rawValue = value
    }

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 4 else { return nil }
        rawValue = bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    public static let any = IPv4Address(0)
    public static let broadcast = IPv4Address(0xFFFF_FFFF)

    public var bytes: [UInt8] { [UInt8(rawValue >> 24), UInt8(truncatingIfNeeded: rawValue >> 16), UInt8(truncatingIfNeeded: rawValue >> 8), UInt8(truncatingIfNeeded: rawValue)] }
    public var isUnspecified: Bool { rawValue == 0 }
    public var description: String { bytes.map(String.init).joined(separator: ".") }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws { self = try decoder.decodeText("an IPv4 address") { text in IPv4Address(text) } }
    public func encode(to encoder: any Encoder) throws { try encoder.encodeText(description) }
}

/// An IPv6 address as two big-endian halves.
public struct IPv6Address: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        let array = Array(bytes)
        high = array[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = array[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }

    public static let unspecified = IPv6Address(high: 0, low: 0)

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: low >> UInt64(shift))) }
        return out
    }

    public var isLinkLocal: Bool { high >> 54 == 0x3FA }  // fe80::/10
    public var isMulticast: Bool { high >> 56 == 0xFF }

    /// Parses RFC 4291 text, including "::" compression and an embedded dotted quad.
    public init?(_ text: some StringProtocol) {
        let text = String(text)
        guard !text.isEmpty, text.count <= 45 else { return nil }
        var groups: [UInt16] = []
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func parseGroups(_ part: String, allowIPv4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowIPv4Tail, index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = IPv4Address(piece) else { return nil }
                    result.append(UInt16(v4.rawValue >> 16))
                    result.append(UInt16(truncatingIfNeeded: v4.rawValue))
                    continue
                }
                guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit), let value = UInt16(piece, radix: 16) else {
                    return nil
                }
                result.append(value)
            }
            return result
        }
        if halves.count == 2 {
            guard let head = parseGroups(halves[0], allowIPv4Tail: false),
                let tail = parseGroups(halves[1], allowIPv4Tail: true), head.count + tail.count <= 7
            else { return nil }
            groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = parseGroups(halves[0], allowIPv4Tail: true), all.count == 8 else { return nil }
            groups = all
        }
        high = groups[0..<4].reduce(0) { $0 << 16 | UInt64($1) }
        low = groups[4..<8].reduce(0) { $0 << 16 | UInt64($1) }
    }

    /// RFC 5952 canonical text: lower case, longest run of two or more zero groups compressed.
    public var description: String {
        var groups: [UInt16] = []
        for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 48, through: 0, by: -16) { groups.append(UInt16(truncatingIfNeeded: low >> UInt64(shift))) }
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8, groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength, i - runStart >= 2 { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        if bestStart < 0 { return groups.map { String($0, radix: 16) }.joined(separator: ":") }
        let head = groups[..<bestStart].map { String($0, radix: 16) }.joined(separator: ":")
        let tail = groups[(bestStart + bestLength)...].map { String($0, radix: 16) }.joined(separator: ":")
        return head + "::" + tail
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }

    /// The address with every bit after the first `length` cleared.
    public func masked(to length: Int) -> IPv6Address {
        let length = min(max(length, 0), 128)
        let highMask: UInt64 = length >= 64 ? .max : (length == 0 ? 0 : ~(UInt64.max >> UInt64(length)))
        let lowMask: UInt64 = length <= 64 ? 0 : (length == 128 ? .max : ~(UInt64.max >> UInt64(length - 64)))
        return IPv6Address(high: high & highMask, low: low & lowMask)
    }

    public init(from decoder: any Decoder) throws { self = try decoder.decodeText("an IPv6 address") { text in IPv6Address(text) } }
    public func encode(to encoder: any Encoder) throws { try encoder.encodeText(description) }
}

/// An IPv6 prefix (a delegated prefix or a pool). The address is kept masked to the length.
public struct IPv6Prefix: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let address: IPv6Address
    public let length: UInt8

    /// nil when `length` exceeds 128.
    public init?(address: IPv6Address, length: Int) {
        guard (0...128).contains(length) else { return nil }
        self.address = address.masked(to: length)
        self.length = UInt8(length)
    }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv6Address(parts[0]), let length = Int(parts[1]) else { return nil }
        self.init(address: address, length: length)
    }

    public func contains(_ other: IPv6Address) -> Bool { other.masked(to: Int(length)) == address }
    public var description: String { "\(address)/\(length)" }
    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.address, lhs.length) < (rhs.address, rhs.length) }

    public init(from decoder: any Decoder) throws { self = try decoder.decodeText("an IPv6 prefix") { text in IPv6Prefix(text) } }
    public func encode(to encoder: any Encoder) throws { try encoder.encodeText(description) }
}
