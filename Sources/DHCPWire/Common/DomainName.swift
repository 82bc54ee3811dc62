/// A DNS name as DHCP carries it (RFC 1035 §3.1 labels): DHCPv4 client FQDN and domain search (options 81, 119),
/// DHCPv6 domain list and FQDN. Labels are bytes compared exactly; DNS case-insensitivity is the consumer's business.
public struct DomainName: Hashable, Sendable, CustomStringConvertible {
    /// Longest label, and longest name on the wire including the root label's zero byte.
    public static let maximumLabelLength = 63
    public static let maximumWireLength = 255

    public let labels: [[UInt8]]

    public static let root = DomainName(validated: [])

    /// nil when a label is empty or longer than 63 bytes, or the name would take more than 255 bytes.
    public init?(labels: [[UInt8]]) {
        guard labels.allSatisfy({ (1...Self.maximumLabelLength).contains($0.count) }),
            Self.wireLength(of: labels) <= Self.maximumWireLength
        else { return nil }
        self.labels = labels
    }

    private init(validated labels: [[UInt8]]) { self.labels = labels }

    /// Parses presentation text: "example.com" and "example.com." are the same name, "." is the root; `\.`, `\\`
    /// and `\DDD` put those bytes inside a label. nil for empty text, empty labels or names that are too long.
    public init?(_ text: some StringProtocol) {
        let text = Array(text.utf8)
        if text == [UInt8(ascii: ".")] {
            self = .root
            return
        }
        var labels: [[UInt8]] = []
        var label: [UInt8] = []
        var rest = text[...]
        while let byte = rest.popFirst() {
            switch byte {
            case UInt8(ascii: "."):
                guard !label.isEmpty else { return nil }
                labels.append(label)
                label = []
            case UInt8(ascii: "\\"):
                guard let escaped = Self.unescape(&rest) else { return nil }
                label.append(escaped)
            default:
                label.append(byte)
            }
        }
        if !label.isEmpty { labels.append(label) }
        guard !labels.isEmpty else { return nil }
        self.init(labels: labels)
    }

    /// The byte a backslash stands for: three decimal digits (at most 255) or the next character itself.
    private static func unescape(_ rest: inout ArraySlice<UInt8>) -> UInt8? {
        let digits = rest.prefix(3)
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        if digits.count == 3, digits.allSatisfy(isDigit) {
            let value = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            rest = rest.dropFirst(3)
            return value <= 255 ? UInt8(value) : nil
        }
        return rest.popFirst()
    }

    /// Bytes on the wire when fully qualified and uncompressed: each label with its length, then the root's zero.
    public var wireLength: Int { Self.wireLength(of: labels) }

    private static func wireLength(of labels: [[UInt8]]) -> Int { labels.reduce(1) { $0 + 1 + $1.count } }

    /// "example.com" (no trailing dot), "." for the root; dots, backslashes and unprintable bytes escaped.
    public var description: String {
        guard !labels.isEmpty else { return "." }
        var text = ""
        for (index, label) in labels.enumerated() {
            if index > 0 { text += "." }
            for byte in label {
                switch byte {
                case UInt8(ascii: "."), UInt8(ascii: "\\"):
                    text += "\\"
                    text.unicodeScalars.append(UnicodeScalar(byte))
                case 0x21...0x7E:
                    text.unicodeScalars.append(UnicodeScalar(byte))
                default:
                    let digits = String(byte)
                    text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
            }
        }
        return text
    }

    /// Writes the labels uncompressed, and the root label's zero byte when `fullyQualified`.
    func encode(into writer: inout WireWriter, fullyQualified: Bool = true) {
        for label in labels {
            writer.write(UInt8(label.count))
            writer.write(bytes: label)
        }
        if fullyQualified { writer.write(UInt8(0)) }
    }

    /// Reads one uncompressed name. It ends with the root label, or, with `allowingPartial`, at the end of the
    /// reader (a partial name, RFC 4702/4704). Compression pointers and over-long labels or names are errors.
    static func decode(
        from reader: inout WireReader, allowingPartial: Bool
    ) throws(WireError) -> (name: DomainName, fullyQualified: Bool) {
        let start = reader.offset
        var labels: [[UInt8]] = []
        var length = 1
        while !reader.isAtEnd {
            let labelOffset = reader.offset
            let labelLength = Int(try reader.readUInt8("domain name"))
            if labelLength == 0 { return (DomainName(validated: labels), true) }
            guard labelLength <= maximumLabelLength else {
                let why =
                    labelLength >= 0xC0
                    ? "compression pointer not allowed here" : "label length \(labelLength) is over 63"
                throw .invalid("domain name", at: labelOffset, why)
            }
            labels.append(try reader.readBytes(labelLength, "domain name"))
            length += 1 + labelLength
            guard length <= maximumWireLength else {
                throw .invalid("domain name", at: start, "longer than \(maximumWireLength) bytes")
            }
        }
        guard allowingPartial else { throw .invalid("domain name", at: start, "ends without the root label") }
        return (DomainName(validated: labels), false)
    }
}

// MARK: - Compressed lists (RFC 1035 §4.1.4 as used by RFC 3397)

extension DomainName {
    /// Encodes names one after another, each ending with the root label, replacing every suffix already written
    /// by a compression pointer. Pointers count from the start of the returned bytes (the start of the value).
    static func encodeCompressed(_ names: [DomainName]) -> [UInt8] {
        var out: [UInt8] = []
        var written: [ArraySlice<[UInt8]>: Int] = [:]
        for name in names {
            var rest = name.labels[...]
            while let label = rest.first {
                if let target = written[rest] {
                    out.append(0xC0 | UInt8(truncatingIfNeeded: target >> 8))
                    out.append(UInt8(truncatingIfNeeded: target))
                    break
                }
                if out.count < 0x4000 { written[rest] = out.count }
                out.append(UInt8(label.count))
                out.append(contentsOf: label)
                rest = rest.dropFirst()
            }
            if rest.isEmpty { out.append(0) }
        }
        return out
    }

    /// Decodes a list of possibly compressed names that fills `value`. Offsets in errors are indexes into `value`.
    ///
    /// A pointer must point before the start of the stretch of labels it was read in (so before the name it
    /// belongs to, as any compressor writes them). Each jump thus lands strictly earlier than the one before,
    /// which rules out loops without counting hops; out-of-range pointers and names over 255 bytes are errors.
    static func decodeCompressedList(_ value: [UInt8]) throws(WireError) -> [DomainName] {
        var names: [DomainName] = []
        var next = 0
        while next < value.count {
            let (name, end) = try decodeCompressed(value, at: next)
            names.append(name)
            next = end
        }
        return names
    }

    /// One name starting at `start`; returns it and the index just after it in the list (after its first pointer).
    private static func decodeCompressed(_ value: [UInt8], at start: Int) throws(WireError) -> (DomainName, Int) {
        var labels: [[UInt8]] = []
        var length = 1
        var position = start
        var stretchStart = start
        var end: Int? = nil
        while true {
            guard position < value.count else {
                throw .truncated("domain name", at: position, needed: 1, available: 0)
            }
            let lengthByte = value[position]
            switch lengthByte >> 6 {
            case 0 where lengthByte == 0:
                return (DomainName(validated: labels), end ?? position + 1)
            case 0:
                let labelLength = Int(lengthByte)
                guard position + 1 + labelLength <= value.count else {
                    throw .truncated(
                        "domain name", at: position + 1, needed: labelLength,
                        available: value.count - position - 1)
                }
                labels.append(Array(value[(position + 1)..<(position + 1 + labelLength)]))
                length += 1 + labelLength
                guard length <= maximumWireLength else {
                    throw .invalid("domain name", at: position, "longer than \(maximumWireLength) bytes")
                }
                position += 1 + labelLength
            case 3:
                guard position + 1 < value.count else {
                    throw .truncated("domain name", at: position + 1, needed: 1, available: 0)
                }
                let target = Int(lengthByte & 0x3F) << 8 | Int(value[position + 1])
                guard target < value.count else {
                    throw .invalid("domain name", at: position, "compression pointer to \(target) is outside the data")
                }
                guard target < stretchStart else {
                    throw .invalid(
                        "domain name", at: position,
                        "compression pointer to \(target) does not point back before \(stretchStart)")
                }
                if end == nil { end = position + 2 }
                stretchStart = target
                position = target
            default:
                throw .invalid("domain name", at: position, "label type \(lengthByte >> 6) is not supported")
            }
        }
    }
}
