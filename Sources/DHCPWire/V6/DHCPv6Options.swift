/// One DHCPv6 option as it travels: a code and its payload bytes (RFC 8415 §21.1).
public struct DHCPv6Option: Hashable, Sendable, CustomStringConvertible {
    /// The largest payload the 16-bit option-len field can describe.
    public static let maximumLength = Int(UInt16.max)

    // Immutable so the length check in `init` holds for the option's life; build a new option to change one.
    public let code: DHCPv6OptionCode
    public let data: [UInt8]
    /// Absolute offset of `data[0]` in the packet this option was parsed from (nil when built in code).
    /// Typed decoding uses it so errors point into the packet as captured. Not part of equality.
    public let sourceOffset: Int?

    /// `data` must fit the 16-bit length field (at most 65,535 bytes); anything larger is a programming
    /// error, since no parsed option can be that long.
    public init(code: DHCPv6OptionCode, data: [UInt8] = []) {
        precondition(
            data.count <= DHCPv6Option.maximumLength, "DHCPv6 option \(code.rawValue) payload over 65535 bytes")
        self.code = code
        self.data = data
        sourceOffset = nil
    }

    init(code: DHCPv6OptionCode, data: [UInt8], sourceOffset: Int) {
        self.code = code
        self.data = data
        self.sourceOffset = sourceOffset
    }

    /// Encodes a typed option value.
    public init<Value: DHCPv6OptionValue>(_ value: Value) {
        var writer = WireWriter()
        value.encodePayload(into: &writer)
        self.init(code: Value.code, data: writer.bytes)
    }

    /// "option 3 (IA_NA), 40 bytes"
    public var description: String { "\(code), \(data.count) bytes" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code && lhs.data == rhs.data }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(data)
    }

    /// Decodes the payload as `Value`. Errors name the option and carry absolute offsets; bytes left over
    /// after the value's fields are an error, not silently dropped.
    public func decode<Value: DHCPv6OptionValue>(as type: Value.Type = Value.self) throws(WireError) -> Value {
        let base = sourceOffset ?? 0
        guard code == Value.code else {
            throw .invalid(Value.code.description, at: base, "found \(code) where \(Value.code) was expected")
        }
        var reader = WireReader(data, base: base)
        do throws(WireError) {
            let value = try Value(payload: &reader)
            guard reader.isAtEnd else {
                let count = reader.remaining
                throw WireError.invalid("", at: reader.offset, "\(count) unexpected byte\(count == 1 ? "" : "s") at the end")
            }
            return value
        } catch {
            throw error.inDHCPv6Option(code)
        }
    }
}

/// The options of a message, IA or relay layer, in wire order. Unknown and repeated options are kept byte
/// for byte, so a message that is parsed and serialised again comes out identical.
public struct DHCPv6Options: RandomAccessCollection, MutableCollection, RangeReplaceableCollection, Hashable, Sendable,
    ExpressibleByArrayLiteral, CustomStringConvertible
{
    public private(set) var elements: [DHCPv6Option]

    public init() { elements = [] }
    public init(_ options: some Sequence<DHCPv6Option>) { elements = Array(options) }
    public init(arrayLiteral options: DHCPv6Option...) { elements = options }

    /// Parses options until the reader is exhausted; every option must fit entirely.
    public init(parsing reader: inout WireReader) throws(WireError) {
        elements = []
        while !reader.isAtEnd {
            let code = DHCPv6OptionCode(try reader.readUInt16("option code"))
            do {
                let length = Int(try reader.readUInt16("length"))
                let start = reader.offset
                let data = try reader.readBytes(length, "payload")
                elements.append(DHCPv6Option(code: code, data: data, sourceOffset: start))
            } catch {
                throw error.inDHCPv6Option(code)
            }
        }
    }

    /// Writes every option as code, length, payload.
    public func encode(into writer: inout WireWriter) { encode(startIndex..<endIndex, into: &writer) }

    /// Writes the options in `range` only (a relay writes its Relay Message option in between).
    func encode(_ range: Range<Int>, into writer: inout WireWriter) {
        for option in elements[range] {
            writer.write(option.code.rawValue)
            writer.write(UInt16(option.data.count))
            writer.write(bytes: option.data)
        }
    }

    /// "[option 1 (CLIENTID), 14 bytes; option 3 (IA_NA), 12 bytes]", for logs.
    public var description: String { "[" + elements.map(\.description).joined(separator: "; ") + "]" }

    /// Bytes the options take on the wire.
    public var encodedLength: Int { elements.reduce(0) { $0 + 4 + $1.data.count } }

    // MARK: Collection

    public var startIndex: Int { elements.startIndex }
    public var endIndex: Int { elements.endIndex }

    public subscript(position: Int) -> DHCPv6Option {
        get { elements[position] }
        set { elements[position] = newValue }
    }

    public mutating func replaceSubrange<C: Collection<DHCPv6Option>>(_ range: Range<Int>, with newElements: C) {
        elements.replaceSubrange(range, with: newElements)
    }

    // MARK: Lookup by code

    /// The first option with this code.
    public func first(_ code: DHCPv6OptionCode) -> DHCPv6Option? { elements.first { $0.code == code } }

    /// Every option with this code, in order.
    public func all(_ code: DHCPv6OptionCode) -> [DHCPv6Option] { elements.filter { $0.code == code } }

    public func contains(_ code: DHCPv6OptionCode) -> Bool { elements.contains { $0.code == code } }

    /// The payload of the first option with this code. Setting replaces that option in place (and drops any
    /// repeats), appends when there is none, or removes every such option when set to nil.
    public subscript(code code: DHCPv6OptionCode) -> [UInt8]? {
        get { first(code)?.data }
        set {
            if let newValue { set(DHCPv6Option(code: code, data: newValue)) } else { removeAll(code) }
        }
    }

    /// Appends a raw option.
    public mutating func append(_ code: DHCPv6OptionCode, _ data: [UInt8]) {
        elements.append(DHCPv6Option(code: code, data: data))
    }

    /// Appends a typed option.
    public mutating func append<Value: DHCPv6OptionValue>(_ value: Value) { elements.append(DHCPv6Option(value)) }

    /// Puts `option` where the first option with its code is (dropping later repeats), or appends it.
    public mutating func set(_ option: DHCPv6Option) {
        guard let index = elements.firstIndex(where: { $0.code == option.code }) else {
            elements.append(option)
            return
        }
        elements = elements[..<index] + [option] + elements[(index + 1)...].filter { $0.code != option.code }
    }

    /// Sets a typed option (see `set(_:)` for a raw one).
    public mutating func set<Value: DHCPv6OptionValue>(_ value: Value) { set(DHCPv6Option(value)) }

    /// Removes every option with this code.
    public mutating func removeAll(_ code: DHCPv6OptionCode) { elements.removeAll { $0.code == code } }

    // MARK: Typed lookup

    /// The first option of `Value`'s code, decoded; nil when absent, an error when present but malformed.
    public func first<Value: DHCPv6OptionValue>(_ type: Value.Type) throws(WireError) -> Value? {
        guard let option = first(Value.code) else { return nil }
        return try option.decode(as: Value.self)
    }

    /// Every option of `Value`'s code, decoded; the first malformed one is an error.
    public func all<Value: DHCPv6OptionValue>(_ type: Value.Type) throws(WireError) -> [Value] {
        var values: [Value] = []
        for option in elements where option.code == Value.code { values.append(try option.decode(as: Value.self)) }
        return values
    }
}

extension WireError {
    /// The same error with its field prefixed by the option that held it ("option 3 (IA_NA) T1").
    func inDHCPv6Option(_ code: DHCPv6OptionCode) -> WireError {
        var copy = self
        copy.field = field.isEmpty ? code.description : "\(code) \(field)"
        return copy
    }
}
