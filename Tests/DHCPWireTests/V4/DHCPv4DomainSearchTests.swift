import DHCPWire
import Testing

/// Option 119 (RFC 3397): DNS wire names with compression pointers counting from the start of the whole value.
struct DHCPv4DomainSearchTests {
    /// RFC 3397 §3's example: "eng.apple.com." then "marketing.apple.com." pointing back at "apple.com.".
    static let rfcExample: [UInt8] = [
        3, 0x65, 0x6e, 0x67,  // "eng"
        5, 0x61, 0x70, 0x70, 0x6c, 0x65,  // "apple"
        3, 0x63, 0x6f, 0x6d,  // "com"
        0,  // root
        9, 0x6d, 0x61, 0x72, 0x6b, 0x65, 0x74, 0x69, 0x6e, 0x67,  // "marketing"
        0xC0, 0x04,  // pointer to offset 4: "apple.com."
    ]

    static func names(_ texts: String...) -> [DomainName] { texts.compactMap { DomainName($0) } }

    @Test func decodesAndEncodesTheRFCExample() throws {
        var options = DHCPv4Options()
        options[119] = Self.rfcExample
        #expect(try options.get(.domainSearch) == Self.names("eng.apple.com", "marketing.apple.com"))
        options.set(.domainSearch, Self.names("eng.apple.com", "marketing.apple.com"))
        #expect(options[119] == Self.rfcExample)
    }

    @Test func aPointerChainThroughEarlierNamesDecodes() throws {
        var options = DHCPv4Options()
        options.set(.domainSearch, Self.names("example.com", "a.example.com", "b.a.example.com", "example.org"))
        #expect(options[119]?.count == 13 + 4 + 4 + 13)
        #expect(
            try options.get(.domainSearch)
                == Self.names("example.com", "a.example.com", "b.a.example.com", "example.org"))
    }

    @Test func aPointerToItselfIsALoopAndThrows() throws {
        // 119 at 240, value at 242: "a" then a pointer at 244 to offset 0, the start of this very name.
        let message = try DHCPv4Message(parsing: dhcpv4Packet(options: [119, 4, 1, 0x61, 0xC0, 0x00]))
        let error = wireError { try message.options.get(.domainSearch) }
        #expect(
            error
                == .invalid(
                    "option 119 (domain search): domain name", at: 244,
                    "compression pointer to 0 does not point back before 0"))
    }

    @Test func pointersThatWouldCycleBetweenNamesThrow() throws {
        // Name 1 "x" ends with a pointer to name 2; name 2 points back to name 1: a loop in two hops.
        let value: [UInt8] = [1, 0x78, 0xC0, 0x04, 1, 0x79, 0xC0, 0x00]
        var options = DHCPv4Options()
        options[119] = value
        let error = wireError { try options.get(.domainSearch) }
        #expect(error?.offset == 2)
        #expect(error?.field == "option 119 (domain search): domain name")
    }

    @Test func aPointerOutsideTheValueThrows() {
        var options = DHCPv4Options()
        options[119] = [1, 0x61, 0, 1, 0x62, 0xC0, 0x40]
        #expect(
            wireError { try options.get(.domainSearch) }
                == .invalid(
                    "option 119 (domain search): domain name", at: 5, "compression pointer to 64 is outside the data"))
    }

    @Test func truncatedNamesAndReservedLabelTypesThrow() {
        var options = DHCPv4Options()
        options[119] = [3, 0x61, 0x62]
        #expect(wireError { try options.get(.domainSearch) }?.reason == .truncated(needed: 3, available: 2))
        options[119] = [1, 0x61]
        #expect(wireError { try options.get(.domainSearch) }?.offset == 2)
        options[119] = [0x41, 0]
        #expect(wireError { try options.get(.domainSearch) }?.reason == .invalidValue("label type 1 is not supported"))
        options[119] = [0xC0]
        #expect(wireError { try options.get(.domainSearch) }?.reason == .truncated(needed: 1, available: 0))
    }

    @Test func aNameOver255BytesThrows() {
        // One name of five 63-byte labels: with the fourth it is already 257 bytes.
        var value: [UInt8] = []
        var options = DHCPv4Options()
        for _ in 0..<5 { value += [63] + Array(repeating: 0x61, count: 63) }
        options[119] = value + [0]
        #expect(wireError { try options.get(.domainSearch) }?.reason == .invalidValue("longer than 255 bytes"))
    }

    @Test func aLongListSplitOverInstancesDecodesPointersAcrossThem() throws {
        // 600 bytes: many names under one zone, so later ones point into the first instance.
        let names = (0..<60).compactMap { DomainName("h\($0)-\(String(repeating: "x", count: 5)).example.com") }
        var message = DHCPv4Message(op: .bootReply, xid: 1, chaddr: HardwareAddress(bytes: [2, 0, 0, 0, 0, 1])!)
        message.options.set(.domainSearch, names)
        #expect((message.options[119]?.count ?? 0) > 510)
        let parsed = try DHCPv4Message(parsing: message.serialize())
        #expect(try parsed.options.get(.domainSearch) == names)
    }

    @Test func anErrorInTheThirdInstanceNamesItsPacketOffset() throws {
        // Instances of 255, 255 and 3 bytes; the value's byte 510 (a reserved label type) is in the third instance.
        var value = Array(repeating: [UInt8]([1, 0x61, 0]), count: 170).flatMap { $0 }  // 510 bytes of "a."
        value += [0x80, 0, 0]
        var message = DHCPv4Message(op: .bootReply, xid: 1, chaddr: HardwareAddress(bytes: [2, 0, 0, 0, 0, 1])!)
        message.options[119] = value
        let parsed = try DHCPv4Message(parsing: message.serialize())
        // Instances at 240, 497 and 754: the third's data starts at 756, holding value byte 510.
        #expect(wireError { try parsed.options.get(.domainSearch) }?.offset == 756)
    }

    @Test func presentationTextRoundTripsEscapes() throws {
        let name = try #require(DomainName(#"a\.b.c\\d.\255x.example."#))
        #expect(name.labels == [Bytes.ascii("a.b"), Bytes.ascii(#"c\d"#), [255, 0x78], Bytes.ascii("example")])
        #expect(name.description == #"a\.b.c\\d.\255x.example"#)
        #expect(DomainName(name.description) == name)
        #expect(DomainName(".") == .root && DomainName.root.description == ".")
        #expect(DomainName("") == nil && DomainName("a..b") == nil && DomainName(#"a\256"#) == nil)
        #expect(DomainName(String(repeating: "a", count: 64)) == nil)
    }
}
