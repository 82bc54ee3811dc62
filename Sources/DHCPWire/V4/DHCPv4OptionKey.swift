/// A typed view of one option code: how its value decodes and encodes. The standard keys are static members
/// (`options.get(.leaseTime)`, `options.set(.routers, [gateway])`); a plugin can define keys of its own.
public struct DHCPv4OptionKey<Value: Sendable>: Sendable {
    public let code: UInt8
    public let name: String
    let coding: DHCPv4ValueCoding<Value>

    /// `decode` reads the value from a reader whose offsets count from the value's first byte and must use every
    /// byte of it; `encode` returns the value's bytes, or nil to leave the option out (a flag set to false).
    public init(
        code: UInt8, name: String,
        decode: @escaping @Sendable (inout WireReader) throws(WireError) -> Value,
        encode: @escaping @Sendable (Value) -> [UInt8]?
    ) {
        let coding = DHCPv4ValueCoding(decode: { (reader, _) throws(WireError) in try decode(&reader) }, encode: encode)
        self.init(code: code, name: name, coding: coding)
    }

    init(code: UInt8, name: String, coding: DHCPv4ValueCoding<Value>) {
        self.code = code
        self.name = name
        self.coding = coding
    }

    /// A standard option, named from `DHCPv4Options.name(of:)`.
    init(standard code: UInt8, _ coding: DHCPv4ValueCoding<Value>) {
        self.init(code: code, name: DHCPv4Options.name(of: code) ?? "unnamed", coding: coding)
    }

    /// "option 51 (lease time)": the field name errors about this option carry.
    public var label: String { "option \(code) (\(name))" }
}

/// How a value of an option or sub-option decodes and encodes. Decoders see value-relative offsets and the
/// value's origin in the packet (for values that nest others, such as option 82).
struct DHCPv4ValueCoding<Value: Sendable>: Sendable {
    let decode: @Sendable (inout WireReader, DHCPv4Option.Origin?) throws(WireError) -> Value
    let encode: @Sendable (Value) -> [UInt8]?

    /// Decodes `option`'s whole value. Errors carry `label` as their field (followed by the decoder's own field,
    /// if any) and the offset of the offending byte in the packet, or in the value when it was built in code.
    func decode(_ option: DHCPv4Option, label: String) throws(WireError) -> Value {
        do throws(WireError) {
            var reader = WireReader(option.data)
            let value = try decode(&reader, option.origin)
            guard reader.isAtEnd else {
                throw WireError.invalid("", at: reader.offset, "\(reader.remaining) extra byte(s) after the value")
            }
            return value
        } catch {
            throw error.inDHCPv4Option(label, origin: option.origin)
        }
    }
}

extension WireError {
    /// The error with its field prefixed by an option's label ("option 121 (classless static routes): router")
    /// and its offset, relative to the option's value, mapped through `origin` to the packet.
    func inDHCPv4Option(_ label: String, origin: DHCPv4Option.Origin?) -> WireError {
        WireError(
            offset: origin?.offset(of: offset) ?? offset,
            field: field.isEmpty ? label : "\(label): \(field)",
            reason: reason)
    }
}

/// A value type that is the whole value of one option or sub-option.
protocol DHCPv4WireValue: Sendable {
    /// Reads the value from a value-relative reader; `origin` places it in the packet (for nested values).
    static func decode(_ reader: inout WireReader, origin: DHCPv4Option.Origin?) throws(WireError) -> Self
    var encoded: [UInt8] { get }
}

extension DHCPv4ValueCoding where Value: DHCPv4WireValue {
    static var wireValue: Self {
        Self(decode: { (reader, origin) throws(WireError) in try .decode(&reader, origin: origin) }, encode: { $0.encoded })
    }
}

// MARK: - Codings shared by several options

extension DHCPv4ValueCoding where Value == IPv4Address {
    static var address: Self {
        Self(decode: { (reader, _) throws(WireError) in try reader.readIPv4("") }, encode: { $0.bytes })
    }
}

extension DHCPv4ValueCoding where Value == [IPv4Address] {
    /// Zero or more addresses; a length that is not a multiple of 4 is an error.
    static var addresses: Self {
        Self(
            decode: { (reader, _) throws(WireError) in
                var addresses: [IPv4Address] = []
                while !reader.isAtEnd { addresses.append(try reader.readIPv4("")) }
                return addresses
            },
            encode: { $0.flatMap { $0.bytes } })
    }
}

extension DHCPv4ValueCoding where Value == UInt32 {
    static var uint32: Self {
        Self(
            decode: { (reader, _) throws(WireError) in try reader.readUInt32("") },
            encode: {
                [
                    UInt8($0 >> 24), UInt8(truncatingIfNeeded: $0 >> 16), UInt8(truncatingIfNeeded: $0 >> 8),
                    UInt8(truncatingIfNeeded: $0),
                ]
            })
    }
}

extension DHCPv4ValueCoding where Value == UInt16 {
    /// A 16-bit value of at least `minimum`.
    static func uint16(minimum: UInt16) -> Self {
        Self(
            decode: { (reader, _) throws(WireError) in
                let value = try reader.readUInt16("")
                guard value >= minimum else { throw .invalid("", at: 0, "\(value) is below the minimum \(minimum)") }
                return value
            },
            encode: { [UInt8($0 >> 8), UInt8(truncatingIfNeeded: $0)] })
    }
}

extension DHCPv4ValueCoding where Value == String {
    /// NVT ASCII text (RFC 2132). Decoding stops at the first NUL (many clients terminate strings with one) and
    /// replaces invalid UTF-8 with U+FFFD: these values are shown and logged; the exact bytes stay in the option.
    static var text: Self {
        Self(decode: { (reader, _) throws(WireError) in string(reader.readRest()) }, encode: { Array($0.utf8) })
    }

    /// Text up to the first NUL, invalid UTF-8 replaced: how every text field of DHCPv4 is read.
    static func string(_ bytes: [UInt8]) -> String { String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self) }
}

extension DHCPv4ValueCoding where Value == [UInt8] {
    /// Opaque bytes, as they are.
    static var bytes: Self { Self(decode: { (reader, _) throws(WireError) in reader.readRest() }, encode: { $0 }) }
}

extension DHCPv4ValueCoding where Value == Bool {
    /// A flag: present with an empty value means true; setting false leaves the option out.
    static var flag: Self { Self(decode: { (_, _) throws(WireError) in true }, encode: { $0 ? [] : nil }) }

    /// One byte, 0 or 1.
    static var zeroOrOne: Self {
        Self(
            decode: { (reader, _) throws(WireError) in
                switch try reader.readUInt8("") {
                case 0: return false
                case 1: return true
                case let value: throw .invalid("", at: 0, "\(value) is neither 0 nor 1")
                }
            },
            encode: { [$0 ? 1 : 0] })
    }
}
