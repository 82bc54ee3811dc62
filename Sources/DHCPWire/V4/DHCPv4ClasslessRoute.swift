/// One route of option 121 (RFC 3442): a destination prefix and the router to reach it through
/// (0.0.0.0 for a destination on the link itself).
public struct DHCPv4ClasslessRoute: Hashable, Sendable, CustomStringConvertible {
    /// The destination, with the bits past `prefixLength` cleared.
    public let destination: IPv4Address
    public let prefixLength: UInt8
    public let router: IPv4Address

    /// nil when `prefixLength` is over 32. Bits of `destination` past the prefix are cleared.
    public init?(destination: IPv4Address, prefixLength: Int, router: IPv4Address) {
        guard (0...32).contains(prefixLength) else { return nil }
        self.init(masking: destination, prefixLength: UInt8(prefixLength), router: router)
    }

    /// `prefixLength` is at most 32.
    private init(masking destination: IPv4Address, prefixLength: UInt8, router: IPv4Address) {
        let mask: UInt32 = prefixLength == 0 ? 0 : ~0 << UInt32(32 - prefixLength)
        self.destination = IPv4Address(destination.rawValue & mask)
        self.prefixLength = prefixLength
        self.router = router
    }

    /// "192.0.2.0/24 via 198.51.100.1"
    public var description: String { "\(destination)/\(prefixLength) via \(router)" }

    /// Octets of the destination the descriptor carries: only the significant ones.
    private var significantOctets: Int { (Int(prefixLength) + 7) / 8 }

    func write(to writer: inout WireWriter) {
        writer.write(prefixLength)
        writer.write(bytes: destination.bytes.prefix(significantOctets))
        writer.write(router)
    }

    /// Reads one route. A prefix length over 32 is an error at its byte; bits past the prefix, which some
    /// servers leave set, are cleared as clients do.
    static func decode(_ reader: inout WireReader) throws(WireError) -> Self {
        let lengthOffset = reader.offset
        let prefixLength = Int(try reader.readUInt8("prefix length"))
        guard prefixLength <= 32 else {
            throw .invalid("prefix length", at: lengthOffset, "\(prefixLength) is over 32")
        }
        let octets = try reader.readBytes((prefixLength + 7) / 8, "destination")
        let value = octets.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } << UInt32(32 - 8 * octets.count)
        let destination = IPv4Address(value)
        let router = try reader.readIPv4("router")
        return Self(masking: destination, prefixLength: UInt8(prefixLength), router: router)
    }
}

extension DHCPv4ValueCoding where Value == [DHCPv4ClasslessRoute] {
    static var classlessRoutes: Self {
        Self(
            decode: { (reader, _) throws(WireError) in
                var routes: [DHCPv4ClasslessRoute] = []
                while !reader.isAtEnd { routes.append(try DHCPv4ClasslessRoute.decode(&reader)) }
                return routes
            },
            encode: { routes in
                var writer = WireWriter()
                for route in routes { route.write(to: &writer) }
                return writer.bytes
            })
    }
}
