import DHCPWire
import Testing

struct DHCPv4RelayAgentInformationTests {
    /// Option 82 as a relay would add it, one of each sub-option Lessor types and an unknown one.
    static let option82: [UInt8] = [
        82, 66,  // relay agent information, 66 bytes:
        1, 6, 0x65, 0x74, 0x68, 0x30, 0x2f, 0x31,  // circuit id: "eth0/1"
        2, 6, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  // remote id: a modem's MAC
        5, 4, 10, 1, 0, 0,  // link selection: 10.1.0.0 (RFC 3527)
        6, 4, 0x73, 0x75, 0x62, 0x31,  // subscriber id: "sub1" (RFC 3993)
        9, 11, 0x00, 0x00, 0x0d, 0xe9, 6, 1, 2, 3, 4, 5, 6,  // vendor-specific: enterprise 3561, 6 bytes (RFC 4243)
        10, 1, 0x80,  // relay agent flags: unicast (RFC 5010)
        11, 4, 10, 1, 0, 1,  // server identifier override: 10.1.0.1 (RFC 5107)
        151, 8, 1, 0x00, 0x00, 0x5e, 0x00, 0x00, 0x00, 0x07,  // VSS: VPN-ID, OUI 00005e, index 7 (RFC 6607)
        152, 0,  // VSS control
        200, 2, 0xAA, 0xBB,  // unknown sub-option
    ]

    static func relayed() throws -> DHCPv4Message {
        try DHCPv4Message(parsing: dhcpv4Packet(options: [53, 1, 1] + option82))
    }

    @Test func typedSubOptionsReadTheirValues() throws {
        let info = try #require(try Self.relayed().options.get(.relayAgentInformation))
        #expect(info.subOptions.map(\.code) == [1, 2, 5, 6, 9, 10, 11, 151, 152, 200])
        #expect(try info.get(.circuitID) == Bytes.ascii("eth0/1"))
        #expect(try info.get(.remoteID) == [0x00, 0x11, 0x22, 0x33, 0x44, 0x55])
        #expect(try info.get(.linkSelection) == IPv4Address(10, 1, 0, 0))
        #expect(try info.get(.subscriberID) == "sub1")
        #expect(
            try info.get(.vendorSpecific) == [
                DHCPv4VendorSpecificInformation(enterpriseNumber: 3561, data: [1, 2, 3, 4, 5, 6])!
            ])
        #expect(try info.get(.relayAgentFlags) == .unicast)
        #expect(try info.get(.serverIdentifierOverride) == IPv4Address(10, 1, 0, 1))
        #expect(try info.get(.virtualSubnetSelection) == .vpnID(oui: 0x00005e, index: 7))
        #expect(try info.get(.virtualSubnetSelectionControl) == true)
        #expect(info[200] == [0xAA, 0xBB])
        #expect(info.description.hasPrefix("{1 circuit id: 657468302f31, 2 remote id: 001122334455"))
    }

    @Test func echoingTheOptionGivesBackTheSameBytes() throws {
        let request = try Self.relayed()
        var reply = DHCPv4Message(op: .bootReply, xid: request.xid, chaddr: request.chaddr)
        reply.options.set(.messageType, .offer)
        reply.options[82] = request.options[82]
        let bytes = reply.serialize()
        #expect(Array(bytes[243..<(243 + Self.option82.count)]) == Self.option82)

        let info = try #require(try request.options.get(.relayAgentInformation))
        var rebuilt = DHCPv4Options()
        rebuilt.set(.relayAgentInformation, info)
        #expect(rebuilt[82] == Array(Self.option82.dropFirst(2)))
    }

    @Test func buildingSubOptionsByType() throws {
        var info = DHCPv4RelayAgentInformation()
        try info.set(.circuitID, Bytes.ascii("ge-0/0/1"))
        try info.set(.linkSelection, IPv4Address(192, 0, 2, 0))
        try info.set(.virtualSubnetSelection, .name("blue"))
        try info.set(.virtualSubnetSelectionControl, true)
        try info.set(.relayAgentFlags, [])
        #expect(info.subOptions.map(\.code) == [1, 5, 151, 152, 10])
        #expect(info[151] == [0] + Bytes.ascii("blue"))
        try info.set(.virtualSubnetSelectionControl, false)
        try info.set(.virtualSubnetSelection, .global)
        #expect(info.subOptions.map(\.code) == [1, 5, 151, 10])
        #expect(try info.get(.virtualSubnetSelection) == .global)
    }

    @Test func repeatsAreKeptAndSetReplacesTheFirst() throws {
        var info = try DHCPv4RelayAgentInformation(subOptions: [
            DHCPv4Option(code: 1, data: [1]), DHCPv4Option(code: 2, data: [2]), DHCPv4Option(code: 1, data: [3]),
        ])
        #expect(info[1] == [1])
        try info.append(DHCPv4Option(code: 2, data: [4]))
        try info.set(1, [9])
        #expect(
            info.subOptions == [
                DHCPv4Option(code: 1, data: [9]), DHCPv4Option(code: 2, data: [2]),
                DHCPv4Option(code: 2, data: [4]),
            ])
        try info.set(2, nil)
        #expect(info.subOptions.map(\.code) == [1])
    }

    @Test func aSubOptionOver255BytesIsRefused() {
        var info = DHCPv4RelayAgentInformation()
        let error = wireError { try info.set(.circuitID, Bytes.zeros(256)) }
        #expect(error?.field == "option 82 (relay agent information): sub-option 1 (circuit id)")
        #expect(error?.reason == .tooLong(256))
        #expect(info.subOptions.isEmpty)
    }

    @Test func brokenFramingNamesTheSubOptionAndItsOffset() throws {
        // 82 at 240, length at 241, value at 242: sub-option 1 claims 5 bytes, has 1 (at 244).
        let message = try DHCPv4Message(parsing: dhcpv4Packet(options: [82, 3, 1, 5, 0x61]))
        let error = wireError { try message.options.get(.relayAgentInformation) }
        #expect(
            error
                == .truncated(
                    "option 82 (relay agent information): sub-option 1 (circuit id)", at: 244,
                    needed: 5, available: 1))
    }

    @Test func aMalformedSubOptionDoesNotHideTheOthers() throws {
        let message = try DHCPv4Message(
            parsing: dhcpv4Packet(options: [
                82, 11,
                5, 3, 10, 1, 0,  // link selection one byte short: data at 244
                1, 4, 0x70, 0x6f, 0x72, 0x74,  // circuit id "port"
            ]))
        let info = try #require(try message.options.get(.relayAgentInformation))
        #expect(try info.get(.circuitID) == Bytes.ascii("port"))
        let error = wireError { try info.get(.linkSelection) }
        #expect(
            error
                == .truncated(
                    "option 82 (relay agent information): sub-option 5 (link selection)", at: 244,
                    needed: 4, available: 3))
    }

    @Test func subOptionOffsetsFollowAnOptionSplitOverInstances() throws {
        let message = try DHCPv4Message(
            parsing: dhcpv4Packet(options: [
                82, 4, 1, 2, 0x61, 0x62,  // first instance: circuit id "ab"
                53, 1, 1,
                82, 5, 11, 3, 10, 1, 0,  // second instance at 249: server id override, data at 253, one byte short
            ]))
        let info = try #require(try message.options.get(.relayAgentInformation))
        #expect(wireError { try info.get(.serverIdentifierOverride) }?.offset == 253)
    }

    @Test func malformedVSSAndVendorDataNameTheirParts() throws {
        var info = try DHCPv4RelayAgentInformation(subOptions: [
            DHCPv4Option(code: 151, data: [1, 0, 0, 0x5e]),
            DHCPv4Option(code: 9, data: [0, 0, 0x0d, 0xe9, 5, 1]),
        ])
        #expect(
            wireError { try info.get(.virtualSubnetSelection) }?.field
                == "option 82 (relay agent information): sub-option 151 (virtual subnet selection): VPN-ID")
        #expect(
            wireError { try info.get(.vendorSpecific) }
                == .truncated(
                    "option 82 (relay agent information): sub-option 9 (vendor-specific information): data",
                    at: 5, needed: 5, available: 1))
        try info.set(.vendorSpecific, nil)
        #expect(info.subOptions.count == 1)
    }
}
