/// User Class (option 15): opaque class names the client belongs to, each sent with a 16-bit length.
public struct DHCPv6UserClass: DHCPv6OptionValue {
    public static let code = DHCPv6OptionCode.userClass
    public var classes: [[UInt8]]

    public init(classes: [[UInt8]]) { self.classes = classes }
    public init(payload reader: inout WireReader) throws(WireError) { classes = try readLengthPrefixedItems(&reader) }
    public func encodePayload(into writer: inout WireWriter) { writeLengthPrefixedItems(classes, into: &writer) }
}

/// Vendor Class (option 16): the hardware vendor's enterprise number and opaque class data.
public struct DHCPv6VendorClass: DHCPv6OptionValue {
    public static let code = DHCPv6OptionCode.vendorClass
    public var enterpriseNumber: UInt32
    public var classes: [[UInt8]]

    public init(enterpriseNumber: UInt32, classes: [[UInt8]]) {
        self.enterpriseNumber = enterpriseNumber
        self.classes = classes
    }

    public init(payload reader: inout WireReader) throws(WireError) {
        enterpriseNumber = try reader.readUInt32("enterprise-number")
        classes = try readLengthPrefixedItems(&reader)
    }

    public func encodePayload(into writer: inout WireWriter) {
        writer.write(enterpriseNumber)
        writeLengthPrefixedItems(classes, into: &writer)
    }
}

/// Vendor-specific Information (option 17): an enterprise number and that vendor's option data, kept raw.
public struct DHCPv6VendorOptions: DHCPv6OptionValue {
    public static let code = DHCPv6OptionCode.vendorOptions
    public var enterpriseNumber: UInt32
    public var data: [UInt8]

    public init(enterpriseNumber: UInt32, data: [UInt8]) {
        self.enterpriseNumber = enterpriseNumber
        self.data = data
    }

    public init(payload reader: inout WireReader) throws(WireError) {
        enterpriseNumber = try reader.readUInt32("enterprise-number")
        data = reader.readRest()
    }

    public func encodePayload(into writer: inout WireWriter) {
        writer.write(enterpriseNumber)
        writer.write(bytes: data)
    }
}

/// Reads `[16-bit length][bytes]` items until the reader is exhausted (user and vendor class data).
private func readLengthPrefixedItems(_ reader: inout WireReader) throws(WireError) -> [[UInt8]] {
    var items: [[UInt8]] = []
    while !reader.isAtEnd {
        let length = Int(try reader.readUInt16("class data length"))
        items.append(try reader.readBytes(length, "class data"))
    }
    return items
}

/// Writes items as `[16-bit length][bytes]`; an item must fit the length field.
private func writeLengthPrefixedItems(_ items: [[UInt8]], into writer: inout WireWriter) {
    for item in items {
        precondition(item.count <= Int(UInt16.max), "class data over 65535 bytes")
        writer.write(UInt16(item.count))
        writer.write(bytes: item)
    }
}
