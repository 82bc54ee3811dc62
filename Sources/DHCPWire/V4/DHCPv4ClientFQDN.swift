/// Option 81, the client FQDN (RFC 4702): flags saying who updates DNS, two deprecated rcode bytes, and a name in
/// DNS wire form (flag E) or, from old clients, ASCII.
public struct DHCPv4ClientFQDN: Hashable, Sendable, DHCPv4WireValue {
    public struct Flags: OptionSet, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// S: the server should (client) or did (server) update the A record.
        public static let serverUpdates = Flags(rawValue: 0x01)
        /// O: the server overrode the client's S bit (server replies only).
        public static let serverOverride = Flags(rawValue: 0x02)
        /// E: the name is in DNS wire form. Encoding sets it from `name`, whatever is stored here.
        public static let canonicalEncoding = Flags(rawValue: 0x04)
        /// N: the server must not update DNS.
        public static let noServerUpdate = Flags(rawValue: 0x08)
    }

    public enum Name: Hashable, Sendable {
        /// Wire form; a name without the root label is partial (the client asks the server to complete it).
        case wire(DomainName, fullyQualified: Bool)
        /// The deprecated ASCII form, as text (invalid UTF-8 replaced, as for other text options).
        case ascii(String)
    }

    public var flags: Flags
    public var rcode1: UInt8
    public var rcode2: UInt8
    public var name: Name

    public init(flags: Flags = [], rcode1: UInt8 = 0, rcode2: UInt8 = 0, name: Name) {
        self.flags = flags
        self.rcode1 = rcode1
        self.rcode2 = rcode2
        self.name = name
    }

    var encoded: [UInt8] {
        var writer = WireWriter()
        switch name {
        case .wire(let domainName, let fullyQualified):
            writer.write(flags.union(.canonicalEncoding).rawValue)
            writer.write(rcode1)
            writer.write(rcode2)
            domainName.encode(into: &writer, fullyQualified: fullyQualified)
        case .ascii(let text):
            writer.write(flags.subtracting(.canonicalEncoding).rawValue)
            writer.write(rcode1)
            writer.write(rcode2)
            writer.write(bytes: text.utf8)
        }
        return writer.bytes
    }

    static func decode(_ reader: inout WireReader, origin _: DHCPv4Option.Origin?) throws(WireError) -> Self {
        let flags = Flags(rawValue: try reader.readUInt8("flags"))
        let rcode1 = try reader.readUInt8("rcode1")
        let rcode2 = try reader.readUInt8("rcode2")
        let name: Name
        if flags.contains(.canonicalEncoding) {
            let (domainName, fullyQualified) = try DomainName.decode(from: &reader, allowingPartial: true)
            name = .wire(domainName, fullyQualified: fullyQualified)
        } else {
            name = .ascii(DHCPv4ValueCoding.string(reader.readRest()))
        }
        return Self(flags: flags, rcode1: rcode1, rcode2: rcode2, name: name)
    }
}
