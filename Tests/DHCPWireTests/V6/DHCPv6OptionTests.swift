import DHCPWire
import Testing

/// Encodes `value`, checks the payload against `payload`, decodes it back and compares.
private func expectRoundTrip<Value: DHCPv6OptionValue>(
    _ value: Value, payload: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let option = DHCPv6Option(value)
    #expect(option.code == Value.code, sourceLocation: sourceLocation)
    #expect(option.data == payload, sourceLocation: sourceLocation)
    #expect(try option.decode(as: Value.self) == value, sourceLocation: sourceLocation)
}

@Suite("DHCPv6 options")
struct DHCPv6OptionTests {
    @Test func simpleOptionsEncodeAndDecode() throws {
        let duid = try DUID(bytes: [0, 1, 0, 1, 1, 2, 3, 4, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff])
        try expectRoundTrip(DHCPv6ClientIdentifier(duid: duid), payload: duid.bytes)
        try expectRoundTrip(DHCPv6ServerIdentifier(duid: duid), payload: duid.bytes)
        try expectRoundTrip(
            DHCPv6OptionRequest(codes: [.dnsServers, 82, 0xffff]), payload: [0, 23, 0, 82, 0xff, 0xff])
        try expectRoundTrip(DHCPv6EchoRequest(codes: [.interfaceID]), payload: [0, 18])
        try expectRoundTrip(DHCPv6Preference(255), payload: [255])
        try expectRoundTrip(DHCPv6ElapsedTime(hundredths: 0xffff), payload: [0xff, 0xff])
        try expectRoundTrip(
            DHCPv6ServerUnicast(address: dhcpv6Address("2001:db8::1")), payload: dhcpv6Address("2001:db8::1").bytes)
        try expectRoundTrip(DHCPv6RapidCommit(), payload: [])
        try expectRoundTrip(DHCPv6ReconfigureMessage(messageType: .renew), payload: [5])
        try expectRoundTrip(DHCPv6ReconfigureAccept(), payload: [])
        try expectRoundTrip(
            DHCPv6DNSServers(addresses: [dhcpv6Address("2001:db8::53"), dhcpv6Address("2001:db8::54")]),
            payload: dhcpv6Address("2001:db8::53").bytes + dhcpv6Address("2001:db8::54").bytes)
        try expectRoundTrip(DHCPv6InformationRefreshTime(seconds: 86400), payload: [0, 1, 0x51, 0x80])
        try expectRoundTrip(DHCPv6SolMaxRT(seconds: 60), payload: [0, 0, 0, 60])
        try expectRoundTrip(DHCPv6InfMaxRT(seconds: 0xffff_ffff), payload: [0xff, 0xff, 0xff, 0xff])
        try expectRoundTrip(DHCPv6InterfaceID(bytes: Array("ge-0/0/1.100".utf8)), payload: Array("ge-0/0/1.100".utf8))
    }

    @Test func classAndVendorOptionsKeepTheirItems() throws {
        try expectRoundTrip(
            DHCPv6UserClass(classes: [[0x61], [], [1, 2, 3]]), payload: [0, 1, 0x61, 0, 0, 0, 3, 1, 2, 3])
        try expectRoundTrip(
            DHCPv6VendorClass(enterpriseNumber: 4491, classes: [Array("docsis3.0".utf8)]),
            payload: [0, 0, 0x11, 0x8b, 0, 9] + Array("docsis3.0".utf8))
        try expectRoundTrip(
            DHCPv6VendorOptions(enterpriseNumber: 9, data: [0, 1, 0, 2, 0xab, 0xcd]),
            payload: [0, 0, 0, 9, 0, 1, 0, 2, 0xab, 0xcd])
        let truncatedItem = DHCPv6Option(code: .userClass, data: [0, 5, 1, 2])
        #expect(throws: WireError.truncated("option 15 (USER_CLASS) class data", at: 2, needed: 5, available: 2)) {
            try truncatedItem.decode(as: DHCPv6UserClass.self)
        }
    }

    @Test func statusCodeKeepsUnknownCodesAndReadsUTF8() throws {
        try expectRoundTrip(
            DHCPv6StatusCode(.noAddrsAvail, message: "pool full"), payload: [0, 2] + Array("pool full".utf8))
        try expectRoundTrip(DHCPv6StatusCode(.other(9)), payload: [0, 9])
        try expectRoundTrip(DHCPv6StatusCode(.success, message: "grüße ✓"), payload: [0, 0] + Array("grüße ✓".utf8))
        let names = (0...6).map { DHCPv6StatusCode.Code(rawValue: $0).description }
        #expect(
            names == [
                "Success", "UnspecFail", "NoAddrsAvail", "NoBinding", "NotOnLink", "UseMulticast", "NoPrefixAvail",
            ])
        #expect(DHCPv6StatusCode.Code.other(4) == .notOnLink)
        let sloppy = DHCPv6Option(code: .statusCode, data: [0, 1, 0x66, 0xff, 0x6f])
        let decoded = try sloppy.decode(as: DHCPv6StatusCode.self)
        #expect(decoded.status == .unspecFail && decoded.message == "f\u{FFFD}o")
        #expect(decoded.description == "UnspecFail: f\u{FFFD}o")
    }

    @Test func clientLinkLayerAddressIsAHardwareAddress() throws {
        let mac = try #require(HardwareAddress("52:54:00:12:34:56"))
        try expectRoundTrip(
            DHCPv6ClientLinkLayerAddress(address: mac), payload: [0, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56])
        let tooLong = DHCPv6Option(code: .clientLinkLayerAddress, data: [0, 1] + Array(repeating: 1, count: 17))
        #expect(
            throws: WireError.invalid(
                "option 79 (CLIENT_LINKLAYER_ADDR) link-layer address", at: 2, "is 17 bytes, more than 16")
        ) {
            try tooLong.decode(as: DHCPv6ClientLinkLayerAddress.self)
        }
        #expect(throws: WireError.invalid("option 79 (CLIENT_LINKLAYER_ADDR) link-layer address", at: 2, "is empty")) {
            try DHCPv6Option(code: .clientLinkLayerAddress, data: [0, 1]).decode(as: DHCPv6ClientLinkLayerAddress.self)
        }
    }

    @Test func malformedPayloadsAreErrorsNamingTheOption() {
        #expect(throws: WireError.invalid("option 7 (PREFERENCE)", at: 1, "1 unexpected byte at the end")) {
            try DHCPv6Option(code: .preference, data: [1, 2]).decode(as: DHCPv6Preference.self)
        }
        #expect(throws: WireError.truncated("option 8 (ELAPSED_TIME) elapsed time", at: 0, needed: 2, available: 1)) {
            try DHCPv6Option(code: .elapsedTime, data: [1]).decode(as: DHCPv6ElapsedTime.self)
        }
        #expect(throws: WireError.invalid("option 14 (RAPID_COMMIT)", at: 0, "1 unexpected byte at the end")) {
            try DHCPv6Option(code: .rapidCommit, data: [0]).decode(as: DHCPv6RapidCommit.self)
        }
        #expect(throws: WireError.truncated("option 6 (ORO) requested code", at: 2, needed: 2, available: 1)) {
            try DHCPv6Option(code: .optionRequest, data: [0, 23, 0]).decode(as: DHCPv6OptionRequest.self)
        }
        #expect(
            throws: WireError.invalid("option 23 (DNS_SERVERS) addresses", at: 0, "length 17 is not a multiple of 16")
        ) {
            try DHCPv6Option(code: .dnsServers, data: Array(repeating: 0, count: 17)).decode(as: DHCPv6DNSServers.self)
        }
        #expect(throws: WireError.invalid("option 1 (CLIENTID) DUID", at: 0, "shorter than its 2-byte type")) {
            try DHCPv6Option(code: .clientID, data: [0]).decode(as: DHCPv6ClientIdentifier.self)
        }
        #expect(
            throws: WireError.invalid(
                "option 2 (SERVERID)", at: 0, "found option 1 (CLIENTID) where option 2 (SERVERID) was expected")
        ) {
            try DHCPv6Option(code: .clientID, data: [0, 3, 0, 1, 1]).decode(as: DHCPv6ServerIdentifier.self)
        }
    }

    @Test func accessorErrorsCarryTheAbsoluteOffsetInThePacket() throws {
        // SOLICIT whose second option, a Client ID, holds a DUID-LLT that is too short.
        let bytes: [UInt8] = [1, 0, 0, 1] + dhcpv6OptionBytes(8, [0, 0]) + dhcpv6OptionBytes(1, [0, 1, 0, 1, 9])
        let message = try DHCPv6ClientServerMessage(parsing: bytes)
        #expect(throws: WireError.invalid("option 1 (CLIENTID) DUID", at: 14, "type 1 needs at least 8 bytes, has 5")) {
            try message.clientID
        }
        #expect(try message.elapsedTime == 0)
    }

    @Test func optionsCollectionLooksUpAppendsSetsAndRemovesByCode() throws {
        var options: DHCPv6Options = [
            DHCPv6Option(code: 100, data: [1]), DHCPv6Option(code: .preference, data: [1]),
            DHCPv6Option(code: 100, data: [2]), DHCPv6Option(code: .preference, data: [2]),
        ]
        #expect(options.first(100)?.data == [1])
        #expect(options.all(100).map(\.data) == [[1], [2]])
        #expect(options[code: 100] == [1])
        #expect(options.contains(.preference) && !options.contains(.rapidCommit))
        #expect(try options.all(DHCPv6Preference.self) == [DHCPv6Preference(1), DHCPv6Preference(2)])

        options.set(DHCPv6Preference(9))  // replaces the first in place, drops the repeat
        #expect(options.map(\.code.rawValue) == [100, 7, 100])
        #expect(try options.first(DHCPv6Preference.self) == DHCPv6Preference(9))

        options[code: 100] = [3]
        #expect(options.map(\.code.rawValue) == [100, 7])
        #expect(options[code: 100] == [3])

        options[code: .rapidCommit] = []
        options.append(200, [0xaa])
        options.append(DHCPv6ElapsedTime(hundredths: 5))
        #expect(options.map(\.code.rawValue) == [100, 7, 14, 200, 8])

        options[code: 100] = nil
        options.removeAll(.rapidCommit)
        #expect(options.map(\.code.rawValue) == [7, 200, 8])
        options.insert(DHCPv6Option(code: 1, data: [0, 3, 0, 1, 5]), at: 0)
        #expect(options.first?.code == .clientID)
        #expect(options.encodedLength == 9 + 5 + 5 + 6)
        #expect(try options.first(DHCPv6RapidCommit.self) == nil)
    }

    @Test func optionEqualityIgnoresWhereItWasParsed() throws {
        let parsed = try DHCPv6ClientServerMessage(parsing: [1, 0, 0, 1] + dhcpv6OptionBytes(14, []))
        #expect(parsed.options.first?.sourceOffset == 8)
        #expect(parsed.options == [DHCPv6Option(code: .rapidCommit)])
        #expect(DHCPv6OptionCode.iaNA.description == "option 3 (IA_NA)")
        #expect(DHCPv6OptionCode(300).description == "option 300")
    }
}
