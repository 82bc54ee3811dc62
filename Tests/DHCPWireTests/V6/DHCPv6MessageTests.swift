import DHCPWire
import Testing

@Suite("DHCPv6 messages")
struct DHCPv6MessageTests {
    @Test(
        "every hand-built packet parses and serialises to the same bytes", arguments: DHCPv6TestPackets.all.map(\.name))
    func handBuiltPacketsRoundTrip(name: String) throws {
        let bytes = try #require(DHCPv6TestPackets.all.first { $0.name == name }?.bytes)
        let message = try DHCPv6Message(parsing: bytes)
        #expect(message.serialize() == bytes)
        #expect(message.encodedLength == bytes.count)
        #expect(try DHCPv6Message(parsing: message.serialize()) == message)
        try expectDHCPv6ClientFacts(name: name, message)
    }

    @Test func solicitFieldsAreDecoded() throws {
        let message = try DHCPv6ClientServerMessage(parsing: DHCPv6TestPackets.dhclientSolicit)
        #expect(message.messageType == .solicit)
        #expect(message.transactionID == 0xd81e5b)
        #expect(message.options.map(\.code) == [.clientID, .optionRequest, .elapsedTime, .iaNA])
        let duid = try #require(try message.clientID)
        #expect(
            duid.kind
                == .linkLayerPlusTime(hardwareType: 1, time: 0x2cd6_1f40, address: [0x52, 0x54, 0, 0x12, 0x34, 0x56]))
        #expect(try message.oro == [.dnsServers, .domainSearchList, .clientFQDN])
        #expect(try message.elapsedTime == 0)
        #expect(!message.rapidCommit)
        #expect(try message.serverID == nil)
        let ia = try #require(try message.iaNA.first)
        #expect(ia.iaid == 0x0012_3456 && ia.t1 == 3600 && ia.t2 == 5400)
        #expect(try ia.addresses.isEmpty)
    }

    @Test func advertiseAccessorsReadServerAnswers() throws {
        let message = try DHCPv6ClientServerMessage(parsing: DHCPv6TestPackets.keaAdvertise)
        #expect(message.messageType == .advertise)
        #expect(try message.serverID?.linkLayerAddress == HardwareAddress("02:42:ac:11:00:02"))
        #expect(try message.preference == 10)
        #expect(try message.dnsServers == [dhcpv6Address("2001:db8::53")])
        let address = try #require(try message.iaNA.first?.addresses.first)
        #expect(address.address == dhcpv6Address("2001:db8:1::100"))
        #expect(address.preferredLifetime == 3000 && address.validLifetime == 4000)
    }

    @Test func messageTypesMapToTheirNumbersAndUnknownOnesAreKept() {
        for raw in UInt8.min...UInt8.max {
            let type = DHCPv6MessageType(rawValue: raw)
            #expect(type.rawValue == raw)
            if case .other = type { #expect(raw == 0 || raw > 13) }
        }
        #expect(DHCPv6MessageType.other(3) == .request)
        #expect(DHCPv6MessageType(rawValue: 14) == .other(14))
        #expect(DHCPv6MessageType.relayForward.description == "RELAY-FORW")
        #expect(DHCPv6MessageType(rawValue: 14).description == "type 14")
    }

    @Test func unknownMessageTypeParsesAsClientServerLayout() throws {
        // LEASEQUERY (14) has the client/server layout; it is kept as `.other(14)` and round-trips.
        let bytes: [UInt8] = [14, 0x01, 0x02, 0x03] + dhcpv6OptionBytes(44, [0x00, 0x01])
        let message = try DHCPv6Message(parsing: bytes)
        #expect(message.messageType == .other(14))
        #expect(message.serialize() == bytes)
    }

    @Test func unknownOptionsArePreservedInOrder() throws {
        let options =
            dhcpv6OptionBytes(0xfff0, [1, 2, 3]) + dhcpv6OptionBytes(1, [0, 3, 0, 1, 1, 2, 3, 4, 5, 6])
            + dhcpv6OptionBytes(0xfff0, []) + dhcpv6OptionBytes(200, Array(repeating: 0xee, count: 300))
        let bytes: [UInt8] = [11, 0, 0, 1] + options
        let message = try DHCPv6ClientServerMessage(parsing: bytes)
        #expect(message.messageType == .informationRequest)
        #expect(message.options.map(\.code.rawValue) == [0xfff0, 1, 0xfff0, 200])
        #expect(message.options.all(0xfff0).map(\.data) == [[1, 2, 3], []])
        #expect(message.serialize() == bytes)
    }

    @Test func transactionIDKeepsTwentyFourBits() {
        var message = DHCPv6ClientServerMessage(messageType: .solicit, transactionID: 0xAB12_3456)
        #expect(message.transactionID == 0x12_3456)
        message.transactionID = 0xFFFF_FFFF
        #expect(message.transactionID == 0xFF_FFFF)
        #expect(message.serialize() == [1, 0xff, 0xff, 0xff])
        #expect(message.description == "SOLICIT xid 0xffffff, 0 options")
    }

    @Test func clientServerParserRejectsRelayMessages() {
        #expect(throws: WireError.invalid("msg-type", at: 0, "RELAY-FORW is a relay message")) {
            try DHCPv6ClientServerMessage(parsing: DHCPv6TestPackets.perfdhcpRelaySolicit)
        }
    }

    @Test func truncatedHeaderNamesTheField() {
        #expect(throws: WireError.truncated("msg-type", at: 0, needed: 1, available: 0)) {
            try DHCPv6Message(parsing: [UInt8]())
        }
        #expect(throws: WireError.truncated("transaction-id", at: 2, needed: 2, available: 1)) {
            try DHCPv6Message(parsing: [1, 0, 0])
        }
    }

    @Test func optionRunningPastTheMessageIsAnErrorAtItsPayload() {
        // IA_NA claims 12 bytes, 5 follow; the payload starts at offset 8.
        let bytes: [UInt8] = [1, 0, 0, 1, 0x00, 0x03, 0x00, 0x0c, 1, 2, 3, 4, 5]
        #expect(throws: WireError.truncated("option 3 (IA_NA) payload", at: 8, needed: 12, available: 5)) {
            try DHCPv6Message(parsing: bytes)
        }
        // Three stray bytes cannot hold an option header.
        #expect(throws: WireError.truncated("option 1 (CLIENTID) length", at: 6, needed: 2, available: 1)) {
            try DHCPv6Message(parsing: [1, 0, 0, 1, 0x00, 0x01, 0x00])
        }
    }

    @Test func builtMessageSerialisesFieldByField() throws {
        var reply = DHCPv6ClientServerMessage(messageType: .reply, transactionID: 0x0a0b0c)
        reply.options.append(DHCPv6ServerIdentifier(duid: try DUID(bytes: [0, 3, 0, 1, 2, 0, 0, 0, 0, 1])))
        reply.options.append(DHCPv6RapidCommit())
        reply.options.append(DHCPv6SolMaxRT(seconds: 3600))
        #expect(
            reply.serialize() == [7, 0x0a, 0x0b, 0x0c]
                + dhcpv6OptionBytes(2, [0, 3, 0, 1, 2, 0, 0, 0, 0, 1]) + dhcpv6OptionBytes(14, [])
                + dhcpv6OptionBytes(82, [0, 0, 0x0e, 0x10]))
        #expect(try reply.solMaxRT == 3600)
        #expect(reply.rapidCommit)
    }
}
