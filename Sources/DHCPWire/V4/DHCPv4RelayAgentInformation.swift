/// Option 82, relay agent information (RFC 3046): sub-options a relay adds to a client's message and the server
/// echoes back. They are kept in wire order, repeats and unknown codes included, so the option can be echoed
/// unchanged. Decoding the option checks only the sub-option framing; each typed sub-option is checked when read,
/// so one malformed sub-option does not hide the others.
public struct DHCPv4RelayAgentInformation: Hashable, Sendable, DHCPv4WireValue {
    /// In wire order; each value at most 255 bytes.
    public private(set) var subOptions: [DHCPv4Option] = []

    public init() {}

    /// Throws `.tooLong` for a value over 255 bytes (a sub-option cannot be split).
    public init(subOptions: [DHCPv4Option]) throws(WireError) {
        for option in subOptions { try append(option) }
    }

    /// The value of the first sub-option with `code`.
    public subscript(code: UInt8) -> [UInt8]? { subOptions.first { $0.code == code }?.data }

    public func contains(_ code: UInt8) -> Bool { subOptions.contains { $0.code == code } }

    /// Appends a sub-option, after any with the same code.
    public mutating func append(_ option: DHCPv4Option) throws(WireError) {
        try Self.checkLength(option.data, code: option.code)
        subOptions.append(option)
    }

    /// Replaces the value of the first sub-option with `code` where it stands and drops later repeats, or appends
    /// it; nil removes every sub-option with `code`.
    public mutating func set(_ code: UInt8, _ data: [UInt8]?) throws(WireError) {
        guard let data else { return remove(code) }
        try Self.checkLength(data, code: code)
        guard let first = subOptions.firstIndex(where: { $0.code == code }) else {
            return subOptions.append(DHCPv4Option(code: code, data: data))
        }
        subOptions[first].data = data
        subOptions = subOptions.enumerated().filter { $0.offset <= first || $0.element.code != code }.map { $0.element }
    }

    public mutating func remove(_ code: UInt8) { subOptions.removeAll { $0.code == code } }

    private static func checkLength(_ data: [UInt8], code: UInt8) throws(WireError) {
        guard data.count <= 255 else {
            throw WireError(offset: 0, field: SubOptionKey<[UInt8]>.label(code), reason: .tooLong(data.count))
        }
    }

    // MARK: Typed access

    /// A typed view of one sub-option code, like `DHCPv4OptionKey` for options.
    public struct SubOptionKey<Value: Sendable>: Sendable {
        public let code: UInt8
        public let name: String
        let coding: DHCPv4ValueCoding<Value>

        public var label: String { Self.label(code, name: name) }

        static func label(_ code: UInt8, name: String? = nil) -> String {
            let name = name ?? DHCPv4RelayAgentInformation.name(of: code)
            return DHCPv4Options.label(of: 82) + ": " + subOptionLabel(code, name: name)
        }
    }

    /// The first sub-option with the key's code, decoded; nil when absent. Errors name the sub-option
    /// ("option 82 (relay agent information): sub-option 5 (link selection)") and the bad byte's offset.
    public func get<Value>(_ key: SubOptionKey<Value>) throws(WireError) -> Value? {
        guard let option = subOptions.first(where: { $0.code == key.code }) else { return nil }
        return try key.coding.decode(option, label: key.label)
    }

    /// Sets the sub-option as `set(_:_:)` does; nil or a false flag removes it. Throws `.tooLong` over 255 bytes.
    public mutating func set<Value>(_ key: SubOptionKey<Value>, _ value: Value?) throws(WireError) {
        try set(key.code, value.flatMap(key.coding.encode))
    }

    /// "sub-option 5 (link selection)", or "sub-option 200" for a code without a name here.
    static func subOptionLabel(_ code: UInt8, name: String?) -> String {
        "sub-option \(code)" + (name.map { " (\($0))" } ?? "")
    }

    /// RFC names of the sub-options Lessor knows, for errors and logs.
    public static func name(of code: UInt8) -> String? {
        switch code {
        case 1: "circuit id"
        case 2: "remote id"
        case 4: "DOCSIS device class"
        case 5: "link selection"
        case 6: "subscriber id"
        case 7: "RADIUS attributes"
        case 8: "authentication"
        case 9: "vendor-specific information"
        case 10: "relay agent flags"
        case 11: "server identifier override"
        case 12: "relay agent identifier"
        case 151: "virtual subnet selection"
        case 152: "virtual subnet selection control"
        default: nil
        }
    }

    // MARK: Wire

    var encoded: [UInt8] {
        var writer = WireWriter()
        for option in subOptions {
            writer.write(option.code)
            writer.write(UInt8(truncatingIfNeeded: option.data.count))
            writer.write(bytes: option.data)
        }
        return writer.bytes
    }

    /// Reads sub-options filling the reader. `origin` is the option's, so each sub-option can map its own offsets.
    static func decode(_ reader: inout WireReader, origin: DHCPv4Option.Origin?) throws(WireError) -> Self {
        var info = Self()
        while !reader.isAtEnd {
            let code = try reader.readUInt8("sub-option code")
            do throws(WireError) {
                let length = try reader.readUInt8("length")
                let start = reader.offset
                let data = try reader.readBytes(Int(length), "")
                let subOrigin = origin?.suffix(from: start) ?? DHCPv4Option.Origin(offset: start)
                info.subOptions.append(DHCPv4Option(code: code, data: data, origin: subOrigin))
            } catch {
                throw error.inDHCPv4Option(subOptionLabel(code, name: name(of: code)), origin: nil)
            }
        }
        return info
    }
}
