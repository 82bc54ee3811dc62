import DHCPWire
import Testing

struct DHCPv4OptionsTests {
    @Test func rawAccessKeepsOrderAndReplacesInPlace() {
        var options = DHCPv4Options()
        options[53] = [1]
        options[200] = [0xAA]
        options[12] = Bytes.ascii("h")
        options[200] = [0xBB, 0xCC]
        #expect(options.map(\.code) == [53, 200, 12])
        #expect(options[200] == [0xBB, 0xCC])
        #expect(options.contains(12) && !options.contains(13))
        #expect(options.remove(53) == [1])
        options[12] = nil
        #expect(options.map(\.code) == [200])
    }

    @Test func appendingAPresentCodeExtendsItsValue() {
        var options = DHCPv4Options([DHCPv4Option(code: 77, data: [1]), DHCPv4Option(code: 3, data: [9])])
        options.append(code: 77, data: [2, 3])
        #expect(Array(options) == [DHCPv4Option(code: 77, data: [1, 2, 3]), DHCPv4Option(code: 3, data: [9])])
    }

    @Test func unknownOptionsSurviveByteForByteAndInOrder() throws {
        let options: [UInt8] = [
            53, 1, 1,
            224, 3, 1, 2, 3,  // private use
            43, 6, 1, 4, 0xde, 0xad, 0xbe, 0xef,  // vendor-specific information
            250, 0,  // empty private option
        ]
        let bytes = dhcpv4Packet(options: options)
        let message = try DHCPv4Message(parsing: bytes)
        #expect(message.options.map(\.code) == [53, 224, 43, 250])
        #expect(message.options[43] == [1, 4, 0xde, 0xad, 0xbe, 0xef])
        #expect(message.serialize() == bytes)
    }

    // MARK: RFC 3396

    @Test func aValueOver255BytesIsWrittenAsConsecutiveInstancesAndReadBackWhole() throws {
        // 17 names with no common suffix, so compression leaves 663 bytes: three instances.
        let names = (10..<27).compactMap { DomainName("host\($0)-padding-padding.zone\($0)-padding") }
        #expect(names.count == 17)
        var message = DHCPv4Message(op: .bootReply, xid: 1, chaddr: HardwareAddress(bytes: [2, 0, 0, 0, 0, 1])!)
        message.options.set(.messageType, .ack)
        message.options.set(.domainSearch, names)
        message.options.set(.leaseTime, 3600)
        let value = try #require(message.options[119])
        #expect(value.count == 663)

        let bytes = message.serialize()
        var instances: [Int] = []
        var index = 243
        while bytes[index] != 255 {
            if bytes[index] == 119 { instances.append(Int(bytes[index + 1])) }
            index += 2 + Int(bytes[index + 1])
        }
        #expect(instances == [255, 255, 153])

        let parsed = try DHCPv4Message(parsing: bytes)
        #expect(parsed == message)
        #expect(parsed.options.map(\.code) == [53, 119, 51])
        #expect(try parsed.options.get(.domainSearch) == names)
    }

    @Test func splitInstancesAreConcatenatedAtTheFirstPosition() throws {
        let bytes = dhcpv4Packet(options: [
            3, 4, 192, 0, 2, 1,  // routers, first part
            53, 1, 5,  // message type: ACK
            3, 4, 192, 0, 2, 2,  // routers, second part
        ])
        let message = try DHCPv4Message(parsing: bytes)
        #expect(message.options.map(\.code) == [3, 53])
        #expect(try message.options.get(.routers) == [IPv4Address(192, 0, 2, 1), IPv4Address(192, 0, 2, 2)])
        #expect(try DHCPv4Message(parsing: message.serialize()) == message)
    }

    @Test func anErrorInALaterInstanceNamesItsOwnOffset() throws {
        let message = try DHCPv4Message(
            parsing: dhcpv4Packet(options: [
                6, 4, 192, 0, 2, 53,  // DNS servers, first instance: data at 242
                53, 1, 1,
                6, 2, 192, 0,  // second instance: data at 251, two bytes short of an address
            ]))
        let error = wireError { try message.options.get(.domainNameServers) }
        #expect(error == .truncated("option 6 (domain name servers)", at: 251, needed: 4, available: 2))
    }

    // MARK: Typed values

    @Test func typedValuesRoundTrip() throws {
        var options = DHCPv4Options()
        let address = IPv4Address(192, 0, 2, 1)
        options.set(.messageType, .offer)
        options.set(.subnetMask, IPv4Address(255, 255, 254, 0))
        options.set(.routers, [address])
        options.set(.domainNameServers, [address, IPv4Address(192, 0, 2, 2)])
        options.set(.hostName, "printer")
        options.set(.domainName, "example.org")
        options.set(.interfaceMTU, 1500)
        options.set(.broadcastAddress, IPv4Address(192, 0, 3, 255))
        options.set(.ntpServers, [address])
        options.set(.requestedAddress, address)
        options.set(.leaseTime, 86400)
        options.set(.serverIdentifier, address)
        options.set(.parameterRequestList, [1, 3, 6])
        options.set(.maximumMessageSize, 1472)
        options.set(.renewalTime, 43200)
        options.set(.rebindingTime, 75600)
        options.set(.vendorClassIdentifier, "MSFT 5.0")
        options.set(.tftpServerName, "tftp.example.org")
        options.set(.bootfileName, "ipxe.efi")
        options.set(.rapidCommit, true)
        options.set(.autoConfigure, false)
        options.set(.subnetSelection, IPv4Address(10, 1, 0, 0))
        options.set(
            .clientIdentifier, DHCPv4ClientIdentifier(hardwareAddress: HardwareAddress(bytes: [1, 2, 3, 4, 5, 6])!))

        #expect(try options.get(.messageType) == .offer)
        #expect(try options.get(.subnetMask) == IPv4Address(255, 255, 254, 0))
        #expect(try options.get(.routers) == [address])
        #expect(try options.get(.domainNameServers)?.count == 2)
        #expect(try options.get(.hostName) == "printer")
        #expect(try options.get(.domainName) == "example.org")
        #expect(try options.get(.interfaceMTU) == 1500)
        #expect(try options.get(.broadcastAddress) == IPv4Address(192, 0, 3, 255))
        #expect(try options.get(.ntpServers) == [address])
        #expect(try options.get(.requestedAddress) == address)
        #expect(try options.get(.leaseTime) == 86400)
        #expect(try options.get(.serverIdentifier) == address)
        #expect(try options.get(.parameterRequestList) == [1, 3, 6])
        #expect(try options.get(.maximumMessageSize) == 1472)
        #expect(try options.get(.renewalTime) == 43200)
        #expect(try options.get(.rebindingTime) == 75600)
        #expect(try options.get(.vendorClassIdentifier) == "MSFT 5.0")
        #expect(try options.get(.tftpServerName) == "tftp.example.org")
        #expect(try options.get(.bootfileName) == "ipxe.efi")
        #expect(try options.get(.rapidCommit) == true)
        #expect(try options.get(.autoConfigure) == false)
        #expect(try options.get(.subnetSelection) == IPv4Address(10, 1, 0, 0))
        #expect(try options.get(.clientIdentifier)?.bytes == [1, 1, 2, 3, 4, 5, 6])
        #expect(options[51] == [0, 1, 0x51, 0x80])
        #expect(options[116] == [0])
        #expect(options[80] == [])
    }

    @Test func settingNilOrAFalseFlagRemovesTheOption() {
        var options = DHCPv4Options()
        options.set(.rapidCommit, true)
        options.set(.leaseTime, 60)
        options.set(.rapidCommit, false)
        options.set(.leaseTime, nil)
        #expect(options.isEmpty)
    }

    @Test func aMalformedLeaseTimeNamesTheOptionAndItsDataOffset() throws {
        let message = try DHCPv4Message(parsing: dhcpv4Packet(options: [53, 1, 1, 51, 3, 0, 0, 1]))
        let error = wireError { try message.options.get(.leaseTime) }
        #expect(error?.field == "option 51 (lease time)")
        #expect(error?.offset == 245)
        #expect(error?.reason == .truncated(needed: 4, available: 3))
        // The rest of the packet is still readable.
        #expect(try message.messageType == .discover)
    }

    @Test func extraBytesAfterAFixedSizeValueAreAnError() throws {
        let message = try DHCPv4Message(parsing: dhcpv4Packet(options: [54, 5, 192, 0, 2, 1, 9]))
        #expect(
            wireError { try message.serverIdentifier }
                == .invalid("option 54 (server identifier)", at: 246, "1 extra byte(s) after the value"))
    }

    @Test func valuesBuiltInCodeReportOffsetsWithinTheValue() {
        var options = DHCPv4Options()
        options[3] = [192, 0, 2, 1, 192, 0]
        #expect(
            wireError { try options.get(.routers) } == .truncated("option 3 (routers)", at: 4, needed: 4, available: 2))
    }

    @Test func rangeChecksNameTheOption() throws {
        let message = try DHCPv4Message(
            parsing: dhcpv4Packet(options: [
                57, 2, 0x01, 0x00,  // maximum message size 256
                26, 2, 0, 67,  // MTU 67
                1, 4, 255, 0, 255, 0,  // non-contiguous mask
                116, 1, 2,  // auto-configure 2
                80, 1, 0,  // rapid commit with a value
            ]))
        #expect(
            wireError { try message.options.get(.maximumMessageSize) }
                == .invalid("option 57 (maximum message size)", at: 242, "256 is below the minimum 576"))
        #expect(wireError { try message.options.get(.interfaceMTU) }?.offset == 246)
        #expect(wireError { try message.options.get(.subnetMask) }?.field == "option 1 (subnet mask)")
        #expect(wireError { try message.options.get(.autoConfigure) }?.offset == 256)
        #expect(wireError { try message.options.get(.rapidCommit) }?.offset == 259)
    }

    @Test func messageTypesMapKnownNumbersAndKeepOthers() throws {
        #expect(DHCPv4MessageType(rawValue: 1) == .discover)
        #expect(DHCPv4MessageType(rawValue: 8) == .inform)
        #expect(DHCPv4MessageType(rawValue: 42) == .other(42))
        #expect(DHCPv4MessageType.other(42).rawValue == 42)
        let message = try DHCPv4Message(parsing: dhcpv4Packet(options: [53, 1, 42]))
        #expect(try message.messageType == .other(42))
        #expect((1...13).allSatisfy { DHCPv4MessageType(rawValue: $0).rawValue == $0 })
    }

    @Test func textOptionsStopAtNULAndTolerateBadUTF8() throws {
        let message = try DHCPv4Message(
            parsing: dhcpv4Packet(options: [12, 6, 0x68, 0x6f, 0x73, 0x74, 0, 0, 60, 2, 0xff, 0x41]))
        #expect(try message.options.get(.hostName) == "host")
        #expect(try message.options.get(.vendorClassIdentifier) == "\u{FFFD}A")
    }

    // MARK: Client identifier

    @Test func clientIdentifierKinds() throws {
        let duid = try DUID(bytes: [0, 1, 0, 1, 0x2c, 0x3a, 0x4b, 0x5c, 0x52, 0x54, 0, 1, 2, 3])
        let nodeSpecific = DHCPv4ClientIdentifier(iaid: 0x0001_0203, duid: duid)
        #expect(nodeSpecific.bytes.prefix(5) == [255, 0, 1, 2, 3])
        #expect(nodeSpecific.kind == .nodeSpecific(iaid: 0x0001_0203, duid: duid))

        let mac = try #require(HardwareAddress("52:54:00:01:02:03"))
        #expect(DHCPv4ClientIdentifier(hardwareAddress: mac).kind == .hardwareAddress(mac))
        #expect(
            try DHCPv4ClientIdentifier(bytes: [0] + Bytes.ascii("printer")).kind
                == .other(type: 0, data: Bytes.ascii("printer")))
        #expect(try DHCPv4ClientIdentifier(bytes: [255, 1, 2]).kind == .other(type: 255, data: [1, 2]))
        #expect(try DHCPv4ClientIdentifier(bytes: [1, 2, 3]).description == "010203")
    }

    @Test func aOneByteClientIdentifierIsAnError() throws {
        let message = try DHCPv4Message(parsing: dhcpv4Packet(options: [61, 1, 1]))
        #expect(
            wireError { try message.clientIdentifier }
                == .truncated("option 61 (client identifier)", at: 242, needed: 2, available: 1))
        #expect(wireError { try DHCPv4ClientIdentifier(bytes: [1]) }?.reason == .truncated(needed: 2, available: 1))
    }

    // MARK: Client FQDN

    @Test func clientFQDNInWireFormFullOrPartial() throws {
        let message = try DHCPv4Message(
            parsing: dhcpv4Packet(options: [
                81, 12, 0x05, 0, 0,  // flags S and E, rcodes
                4, 0x68, 0x6f, 0x73, 0x74, 2, 0x69, 0x6f, 0,  // host.io.
            ]))
        let fqdn = try #require(try message.options.get(.clientFQDN))
        #expect(fqdn.flags == [.serverUpdates, .canonicalEncoding])
        #expect(fqdn.name == .wire(DomainName("host.io")!, fullyQualified: true))
        #expect(fqdn.description == "host.io. flags 0x5")

        var options = DHCPv4Options()
        options.set(
            .clientFQDN,
            DHCPv4ClientFQDN(flags: [.serverUpdates], name: .wire(DomainName("laptop")!, fullyQualified: false)))
        #expect(options[81] == [0x05, 0, 0, 6] + Bytes.ascii("laptop"))
        #expect(try options.get(.clientFQDN)?.name == .wire(DomainName("laptop")!, fullyQualified: false))
    }

    @Test func clientFQDNInASCIIForm() throws {
        var options = DHCPv4Options()
        options[81] = [0x01, 255, 255] + Bytes.ascii("old.example")
        let fqdn = try #require(try options.get(.clientFQDN))
        #expect(fqdn.name == .ascii("old.example") && fqdn.rcode1 == 255)
        options.set(.clientFQDN, fqdn)
        #expect(options[81] == [0x01, 255, 255] + Bytes.ascii("old.example"))
    }

    @Test func aCompressionPointerInClientFQDNIsAnError() throws {
        let message = try DHCPv4Message(parsing: dhcpv4Packet(options: [81, 6, 0x04, 0, 0, 1, 0x61, 0xC0]))
        #expect(
            wireError { try message.options.get(.clientFQDN) }
                == .invalid("option 81 (client FQDN): domain name", at: 247, "compression pointer not allowed here"))
    }

    @Test func customKeysDecodeAndReportLikeStandardOnes() throws {
        let pxeArchitecture = DHCPv4OptionKey<UInt16>(
            code: 93, name: "client system architecture",
            decode: { (reader) throws(WireError) in try reader.readUInt16("architecture") },
            encode: { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        var options = DHCPv4Options()
        options.set(pxeArchitecture, 7)
        #expect(try options.get(pxeArchitecture) == 7)
        options[93] = [0]
        #expect(
            wireError { try options.get(pxeArchitecture) }?.field
                == "option 93 (client system architecture): architecture")
    }
}
