/// A link-layer address with its ARP hardware type (1 = Ethernet), as carried in DHCPv4's
/// htype/chaddr and in DUIDs. At most 16 bytes (the size of chaddr).
public struct HardwareAddress: Hashable, Sendable, Codable, CustomStringConvertible {
    public let type: UInt16
    public let bytes: [UInt8]

    public static let ethernet: UInt16 = 1

    /// nil when `bytes` is longer than 16.
    public init?(type: UInt16 = HardwareAddress.ethernet, bytes: [UInt8]) {
        guard bytes.count <= 16 else { return nil }
        self.type = type
        self.bytes = bytes
    }

    /// Parses "aa:bb:cc:dd:ee:ff" (also with '-' separators) as an Ethernet address.
    public init?(_ text: some StringProtocol, type: UInt16 = HardwareAddress.ethernet) {
        let pieces = text.split(whereSeparator: { $0 == ":" || $0 == "-" })
        guard !pieces.isEmpty, pieces.count <= 16 else { return nil }
        var bytes: [UInt8] = []
        for piece in pieces {
            guard (1...2).contains(piece.count), let byte = UInt8(piece, radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.init(type: type, bytes: bytes)
    }

    /// "aa:bb:cc:dd:ee:ff"
    public var description: String { bytes.hexString(separator: ":") }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex, two digits a byte, with an optional separator.
    public func hexString(separator: String = "") -> String {
        let digits: [Character] = Array("0123456789abcdef")
        var out = ""
        var first = true
        for byte in self {
            if !first { out += separator }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
            first = false
        }
        return out
    }
}

extension Array where Element == UInt8 {
    /// Parses hex text (upper or lower case, optional ':' or '-' separators or whitespace); nil if malformed.
    public init?(hex text: some StringProtocol) {
        let digits = Array(text.utf8.filter { !($0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "-") || $0 == 32 || $0 == 9 || $0 == 10) })
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        self = out
    }
}
