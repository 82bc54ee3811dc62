/// IA Address (option 5): one address in an IA_NA or IA_TA with its lifetimes in seconds
/// (0xFFFFFFFF is infinity).
public struct DHCPv6IAAddress: DHCPv6IALease {
    public static let code = DHCPv6OptionCode.iaAddress
    public static let timedIACode = DHCPv6OptionCode.iaNA
    public var address: IPv6Address
    public var preferredLifetime: UInt32
    public var validLifetime: UInt32
    /// Usually empty; a server may put a Status Code here.
    public var options: DHCPv6Options

    public init(address: IPv6Address, preferredLifetime: UInt32, validLifetime: UInt32, options: DHCPv6Options = []) {
        self.address = address
        self.preferredLifetime = preferredLifetime
        self.validLifetime = validLifetime
        self.options = options
    }

    public init(payload reader: inout WireReader) throws(WireError) {
        address = try reader.readIPv6("address")
        preferredLifetime = try reader.readUInt32("preferred-lifetime")
        validLifetime = try reader.readUInt32("valid-lifetime")
        options = try DHCPv6Options(parsing: &reader)
    }

    public func encodePayload(into writer: inout WireWriter) {
        writer.write(address)
        writer.write(preferredLifetime)
        writer.write(validLifetime)
        options.encode(into: &writer)
    }
}

/// IA Prefix (option 26): one delegated prefix with its lifetimes in seconds (0xFFFFFFFF is infinity).
///
/// Bits of the prefix field beyond the prefix length are cleared on decoding (a client's hint such as
/// 2001:db8::1/56 means 2001:db8::/56); the raw option keeps them for an exact message round trip.
public struct DHCPv6IAPrefix: DHCPv6IALease {
    public static let code = DHCPv6OptionCode.iaPrefix
    public static let timedIACode = DHCPv6OptionCode.iaPD
    public var preferredLifetime: UInt32
    public var validLifetime: UInt32
    public var prefix: IPv6Prefix
    /// Usually empty; a server may put a Status Code here.
    public var options: DHCPv6Options

    public init(prefix: IPv6Prefix, preferredLifetime: UInt32, validLifetime: UInt32, options: DHCPv6Options = []) {
        self.prefix = prefix
        self.preferredLifetime = preferredLifetime
        self.validLifetime = validLifetime
        self.options = options
    }

    public init(payload reader: inout WireReader) throws(WireError) {
        preferredLifetime = try reader.readUInt32("preferred-lifetime")
        validLifetime = try reader.readUInt32("valid-lifetime")
        let lengthOffset = reader.offset
        let length = try reader.readUInt8("prefix-length")
        let address = try reader.readIPv6("IPv6-prefix")
        guard let prefix = IPv6Prefix(address: address, length: Int(length)) else {
            throw .invalid("prefix-length", at: lengthOffset, "\(length) is more than 128")
        }
        self.prefix = prefix
        options = try DHCPv6Options(parsing: &reader)
    }

    public func encodePayload(into writer: inout WireWriter) {
        writer.write(preferredLifetime)
        writer.write(validLifetime)
        writer.write(prefix.length)
        writer.write(prefix.address)
        options.encode(into: &writer)
    }
}

extension DHCPv6Options {
    /// Options for an IA: each lease, then the status code if given.
    init<Lease: DHCPv6OptionValue>(leases: [Lease], status: DHCPv6StatusCode?) {
        self.init(leases.map { DHCPv6Option($0) })
        if let status { append(status) }
    }
}
