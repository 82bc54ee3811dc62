/// Domain Search List (option 24, RFC 3646): suffixes a resolver appends, each a fully qualified,
/// uncompressed wire name.
public struct DHCPv6DomainSearchList: DHCPv6OptionValue {
    public static let code = DHCPv6OptionCode.domainSearchList
    public var domains: [DomainName]

    public init(domains: [DomainName]) { self.domains = domains }

    public init(payload reader: inout WireReader) throws(WireError) {
        domains = []
        while !reader.isAtEnd {
            domains.append(try DomainName.decode(from: &reader, allowingPartial: false).name)
        }
    }

    public func encodePayload(into writer: inout WireWriter) {
        for domain in domains { domain.encode(into: &writer) }
    }
}

/// Client FQDN (option 39, RFC 4704): the client's name and who should update DNS for it.
public struct DHCPv6ClientFQDN: DHCPv6OptionValue {
    public static let code = DHCPv6OptionCode.clientFQDN

    /// The flags byte: S (server should update AAAA), O (server overrode the client), N (no updates).
    /// Unassigned bits are kept as received.
    public struct Flags: OptionSet, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let serverUpdates = Flags(rawValue: 0x01)
        public static let overridden = Flags(rawValue: 0x02)
        public static let noUpdates = Flags(rawValue: 0x04)
    }

    public var flags: Flags
    /// The name; empty when the client leaves the choice to the server.
    public var name: DomainName
    /// False for a partial name (no root label), which the server completes with its own suffix.
    public var isFullyQualified: Bool

    public init(flags: Flags = [], name: DomainName, isFullyQualified: Bool = true) {
        self.flags = flags
        self.name = name
        self.isFullyQualified = isFullyQualified
    }

    public init(payload reader: inout WireReader) throws(WireError) {
        flags = Flags(rawValue: try reader.readUInt8("flags"))
        (name, isFullyQualified) = try DomainName.decode(from: &reader, allowingPartial: true)
    }

    public func encodePayload(into writer: inout WireWriter) {
        writer.write(flags.rawValue)
        name.encode(into: &writer, fullyQualified: isFullyQualified)
    }
}
