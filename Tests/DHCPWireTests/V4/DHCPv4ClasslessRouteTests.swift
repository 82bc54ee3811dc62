import DHCPWire
import Testing

/// Option 121 (RFC 3442): each destination carries only its significant octets.
struct DHCPv4ClasslessRouteTests {
    static func route(_ destination: String, _ length: Int, via router: String) -> DHCPv4ClasslessRoute? {
        guard let destination = IPv4Address(destination), let router = IPv4Address(router) else { return nil }
        return DHCPv4ClasslessRoute(destination: destination, prefixLength: length, router: router)
    }

    /// RFC 3442 §1's descriptor examples, each followed by its router.
    static let encoded: [UInt8] = [
        0, 192, 0, 2, 1,  // 0.0.0.0/0 (default) via 192.0.2.1
        8, 10, 192, 0, 2, 2,  // 10.0.0.0/8
        24, 198, 51, 100, 0, 0, 0, 0,  // 198.51.100.0/24, on link
        25, 203, 0, 113, 128, 192, 0, 2, 3,  // 203.0.113.128/25
        32, 192, 0, 2, 99, 192, 0, 2, 4,  // host route
    ]

    static let routes: [DHCPv4ClasslessRoute] = [
        route("0.0.0.0", 0, via: "192.0.2.1"), route("10.0.0.0", 8, via: "192.0.2.2"),
        route("198.51.100.0", 24, via: "0.0.0.0"), route("203.0.113.128", 25, via: "192.0.2.3"),
        route("192.0.2.99", 32, via: "192.0.2.4"),
    ].compactMap { $0 }

    @Test func decodesAndEncodesSignificantOctetsOnly() throws {
        #expect(Self.routes.count == 5)
        var options = DHCPv4Options()
        options[121] = Self.encoded
        #expect(try options.get(.classlessStaticRoutes) == Self.routes)
        options.set(.classlessStaticRoutes, Self.routes)
        #expect(options[121] == Self.encoded)
        #expect(Self.routes[3].description == "203.0.113.128/25 via 192.0.2.3")
    }

    @Test func bitsPastThePrefixAreCleared() throws {
        #expect(Self.route("10.1.2.3", 8, via: "0.0.0.0")?.destination == IPv4Address(10, 0, 0, 0))
        var options = DHCPv4Options()
        options[121] = [12, 10, 0xFF, 0, 0, 0, 0]
        #expect(try options.get(.classlessStaticRoutes)?.first?.destination == IPv4Address(10, 0xF0, 0, 0))
    }

    @Test func aPrefixLengthOver32ThrowsAtItsByte() throws {
        // 121 at 240, value at 242: the first route is fine, the second's prefix length (33) is at 247.
        let message = try DHCPv4Message(parsing: dhcpv4Packet(options: [121, 10, 0, 192, 0, 2, 1, 33, 1, 2, 3, 4]))
        let error = wireError { try message.options.get(.classlessStaticRoutes) }
        #expect(error == .invalid("option 121 (classless static routes): prefix length", at: 247, "33 is over 32"))
        #expect(Self.route("10.0.0.0", 33, via: "0.0.0.0") == nil)
    }

    @Test func aShortRouteNamesThePartItEndsIn() {
        var options = DHCPv4Options()
        options[121] = [24, 10, 0]
        #expect(
            wireError { try options.get(.classlessStaticRoutes) }
                == .truncated("option 121 (classless static routes): destination", at: 1, needed: 3, available: 2))
        options[121] = [8, 10, 192, 0]
        #expect(
            wireError { try options.get(.classlessStaticRoutes) }?.field
                == "option 121 (classless static routes): router")
    }
}
