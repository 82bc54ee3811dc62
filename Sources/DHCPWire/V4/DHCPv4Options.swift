/// The options of a DHCPv4 message, in order, one entry per code.
///
/// RFC 3396: a code seen several times on the wire is one value, the instances concatenated in the order read
/// (options field, then `file`, then `sname` when overloaded), stored at the position of the first instance.
/// Serialising writes each value where it stands, split into consecutive instances of at most 255 bytes. So a
/// packet that split an option round-trips to the same parsed value, though not always to the same bytes. Unknown
/// options are kept byte for byte and in order, so option 82 and vendor options can be echoed unchanged.
///
/// It is a `Sequence` rather than a `Collection` on purpose: `options[53]` means option 53, never the 54th entry.
///
/// Parsing keeps values raw: one malformed option does not make the packet unreadable. The typed accessor
/// (`get`) reports it, naming the option and the offset of the bad byte in the packet.
public struct DHCPv4Options: Sequence, Hashable, Sendable {
    private var storage: [DHCPv4Option] = []

    /// Codes with a meaning of their own on the wire rather than an option.
    public static let pad: UInt8 = 0
    public static let end: UInt8 = 255

    public init() {}

    /// Options in the order given; a repeated code extends the earlier value (as on the wire).
    public init(_ options: some Sequence<DHCPv4Option>) {
        for option in options { append(option) }
    }

    public func makeIterator() -> IndexingIterator<[DHCPv4Option]> { storage.makeIterator() }
    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }
    public var underestimatedCount: Int { storage.count }

    private func index(of code: UInt8) -> Int? { storage.firstIndex { $0.code == code } }

    /// The value of an option, raw. Setting replaces the value where it stands, or appends the option; nil removes.
    public subscript(code: UInt8) -> [UInt8]? {
        get { index(of: code).map { storage[$0].data } }
        set {
            guard let newValue else {
                remove(code)
                return
            }
            if let index = index(of: code) {
                storage[index].data = newValue
            } else {
                append(DHCPv4Option(code: code, data: newValue))
            }
        }
    }

    public func contains(_ code: UInt8) -> Bool { index(of: code) != nil }

    /// Appends the option, or, when its code is present, extends that value (the RFC 3396 reading of a repeat).
    /// Codes 0 (pad) and 255 (end) are not options: passing one is a programming error.
    public mutating func append(_ option: DHCPv4Option) {
        precondition(option.code != Self.pad && option.code != Self.end, "code \(option.code) is not an option")
        if let index = index(of: option.code) {
            storage[index].data += option.data
        } else {
            storage.append(option)
        }
    }

    public mutating func append(code: UInt8, data: [UInt8]) { append(DHCPv4Option(code: code, data: data)) }

    /// Removes the option and returns its value, if it was there.
    @discardableResult
    public mutating func remove(_ code: UInt8) -> [UInt8]? {
        guard let index = index(of: code) else { return nil }
        return storage.remove(at: index).data
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.storage == rhs.storage }
    public func hash(into hasher: inout Hasher) { hasher.combine(storage) }

    // MARK: Typed access

    /// The option's value decoded, nil when absent. A malformed value throws a `WireError` whose field is the key's
    /// label ("option 51 (lease time)") and whose offset is the bad byte's in the packet as parsed.
    public func get<Value>(_ key: DHCPv4OptionKey<Value>) throws(WireError) -> Value? {
        guard let index = index(of: key.code) else { return nil }
        return try key.coding.decode(storage[index], label: key.label)
    }

    /// Sets the option to `value` encoded (where it stands, or at the end); nil, or a false flag, removes it.
    public mutating func set<Value>(_ key: DHCPv4OptionKey<Value>, _ value: Value?) {
        self[key.code] = value.flatMap(key.coding.encode)
    }

    public mutating func remove<Value>(_ key: DHCPv4OptionKey<Value>) { remove(key.code) }

    // MARK: Wire

    /// Bytes the options take when serialised, END excluded.
    var wireLength: Int { storage.reduce(0) { $0 + $1.wireLength } }

    func write(to writer: inout WireWriter) {
        for option in storage { option.write(to: &writer) }
    }

    /// Reads options until END or the end of `reader`, skipping pads and folding repeats into earlier values.
    /// An option running past the end of the area is an error naming it. Option 52 is dropped when `inOverload`:
    /// it means nothing inside `file` or `sname` and would be misread once moved to the options field.
    mutating func parse(_ reader: inout WireReader, inOverload: Bool) throws(WireError) {
        while !reader.isAtEnd {
            let code = try reader.readUInt8("option code")
            if code == Self.pad { continue }
            if code == Self.end { return }
            let data: [UInt8]
            let offset: Int
            do throws(WireError) {
                let length = try reader.readUInt8("length")
                offset = reader.offset
                data = try reader.readBytes(Int(length), "")
            } catch {
                throw error.inDHCPv4Option(Self.label(of: code), origin: nil)
            }
            if inOverload && code == DHCPv4Message.overloadOption { continue }
            absorb(code: code, data: data, offset: offset)
        }
    }

    /// Adds an instance read at `offset`: a new option, or more of the value of one already read.
    private mutating func absorb(code: UInt8, data: [UInt8], offset: Int) {
        guard let index = index(of: code) else {
            storage.append(DHCPv4Option(code: code, data: data, origin: DHCPv4Option.Origin(offset: offset)))
            return
        }
        var origin = storage[index].origin
        origin?.append(valueIndex: storage[index].data.count, offset: offset)
        storage[index].data += data
        storage[index].origin = origin
    }

    /// Removes a well-formed option 52 and returns its value (1 file, 2 sname, 3 both). A malformed one stays, as
    /// any other unknown value does, and overloads nothing.
    mutating func removeOverload() -> UInt8? {
        guard let index = index(of: DHCPv4Message.overloadOption), storage[index].data.count == 1,
            let value = storage[index].data.first, (1...3).contains(value)
        else { return nil }
        storage.remove(at: index)
        return value
    }
}
