import DHCPWire
import Testing

/// Option 52: options continued in `file` (1), `sname` (2) or both (3), read in that order (RFC 2131 §4.1).
struct DHCPv4OverloadTests {
    /// `bytes` followed by END and zeros to `length`.
    static func area(_ bytes: [UInt8], length: Int) -> [UInt8] {
        bytes + [255] + Bytes.zeros(length - bytes.count - 1)
    }

    @Test func overload1ContinuesOptionsInFile() throws {
        let file = Self.area([12, 4, 0x68, 0x6f, 0x73, 0x74, 55, 2, 1, 3], length: 128)
        let message = try DHCPv4Message(parsing: dhcpv4Packet(options: [53, 1, 1, 52, 1, 1], file: file))
        #expect(message.options.map(\.code) == [53, 12, 55])
        #expect(try message.options.get(.hostName) == "host")
        #expect(message.file == Bytes.zeros(128) && message.bootFileName == "")
        #expect(!message.options.contains(52))
    }

    @Test func overload2ContinuesOptionsInSnameAndLeavesFileAlone() throws {
        let sname = Self.area([51, 4, 0, 0, 0x0e, 0x10], length: 64)
        let file = Bytes.ascii("pxelinux.0") + Bytes.zeros(118)
        let message = try DHCPv4Message(parsing: dhcpv4Packet(options: [53, 1, 2, 52, 1, 2], sname: sname, file: file))
        #expect(try message.options.get(.leaseTime) == 3600)
        #expect(message.sname == Bytes.zeros(64))
        #expect(message.bootFileName == "pxelinux.0")
    }

    @Test func overload3ReadsFileBeforeSnameAndConcatenatesAcrossAreas() throws {
        let file = Self.area([3, 4, 192, 0, 2, 2, 51, 4, 0, 0, 0, 60], length: 128)
        let sname = Self.area([3, 4, 192, 0, 2, 3, 60, 1, 0x78], length: 64)
        let bytes = dhcpv4Packet(options: [53, 1, 5, 52, 1, 3, 3, 4, 192, 0, 2, 1], sname: sname, file: file)
        let message = try DHCPv4Message(parsing: bytes)
        #expect(message.options.map(\.code) == [53, 3, 51, 60])
        #expect(
            try message.options.get(.routers)
                == [IPv4Address(192, 0, 2, 1), IPv4Address(192, 0, 2, 2), IPv4Address(192, 0, 2, 3)])
        #expect(try DHCPv4Message(parsing: message.serialize()) == message)
    }

    @Test func aMalformedOverloadOptionIsKeptAndOverloadsNothing() throws {
        let file = Self.area([12, 1, 0x61], length: 128)
        let message = try DHCPv4Message(parsing: dhcpv4Packet(options: [53, 1, 1, 52, 1, 4], file: file))
        #expect(message.options[52] == [4])
        #expect(!message.options.contains(12))
        #expect(message.file == file)
        #expect(try DHCPv4Message(parsing: message.serialize()) == message)
    }

    @Test func anOverloadOptionInsideFileIsIgnored() throws {
        let file = Self.area([52, 1, 2, 12, 1, 0x61], length: 128)
        let sname = Self.area([15, 1, 0x62], length: 64)
        let message = try DHCPv4Message(parsing: dhcpv4Packet(options: [53, 1, 1, 52, 1, 1], sname: sname, file: file))
        #expect(message.options.map(\.code) == [53, 12])
        #expect(message.sname == sname)
    }

    @Test func aTruncatedOptionInFileNamesItsOffsetInTheFileField() {
        var file = Bytes.zeros(128)
        file[125] = 51  // lease time at offset 108 + 125 = 233 ...
        file[126] = 4  // ... whose 4 bytes would run past the field's end
        let error = wireError { try DHCPv4Message(parsing: dhcpv4Packet(options: [53, 1, 1, 52, 1, 1], file: file)) }
        #expect(error == .truncated("option 51 (lease time)", at: 235, needed: 4, available: 1))
    }

    // MARK: Serialising within a size

    static func bigReply() -> DHCPv4Message {
        var message = DHCPv4Message(
            op: .bootReply, xid: 0x77, chaddr: HardwareAddress(bytes: [2, 0, 0, 0, 0, 9])!,
            yiaddr: IPv4Address(10, 0, 0, 9))
        message.options.set(.messageType, .ack)
        message.options.set(.serverIdentifier, IPv4Address(10, 0, 0, 1))
        message.options.set(.leaseTime, 3600)
        message.options.set(.domainNameServers, (1...30).map { IPv4Address(10, 0, 1, $0) })  // 120 bytes
        message.options.set(.ntpServers, (1...30).map { IPv4Address(10, 0, 2, $0) })  // 120 bytes
        message.options[43] = Array(repeating: 0xAB, count: 150)
        message.options.set(.hostName, "a-host-name-that-takes-some-room")
        return message
    }

    @Test func serialisingWithinTheDefault576OverloadsIntoFileAndSname() throws {
        let message = Self.bigReply()
        #expect(message.serialize().count > 548)
        let bytes = try message.serialize(maxMessageSize: 576)
        #expect(bytes.count <= 548)
        let overload = Self.optionsFieldCodes(bytes)
        #expect(overload.contains(52))
        #expect(try DHCPv4Message(parsing: bytes) == message)
    }

    @Test func aFileHoldingABootFileNameIsNotOverloaded() throws {
        var message = Self.bigReply()
        message.bootFileName = "ipxe.efi"
        message.options[43] = Array(repeating: 0xAB, count: 30)
        let bytes = try message.serialize(maxMessageSize: 576)
        #expect(bytes.count <= 548)
        #expect(Array(bytes[108..<116]) == Bytes.ascii("ipxe.efi"))
        #expect(try DHCPv4Message(parsing: bytes) == message)
    }

    @Test func optionsThatCannotFitEvenOverloadedThrowTooLong() {
        var message = Self.bigReply()
        message.options[43] = Array(repeating: 0xAB, count: 500)
        let error = wireError { try message.serialize(maxMessageSize: 576) }
        #expect(error?.field == "options")
        #expect(error?.offset == 240)
        #expect(error?.reason == .tooLong(message.serialize().count))
    }

    @Test func aMessageThatFitsIsSerialisedPlainly() throws {
        let message = try DHCPv4Message(parsing: DHCPv4HandBuiltPackets.keaOffer)
        #expect(try message.serialize(maxMessageSize: 576) == message.serialize())
        let big = Self.bigReply()
        #expect(try big.serialize(maxMessageSize: 1500) == big.serialize())
    }

    @Test func aMaximumBelow576CountsAs576() throws {
        let message = Self.bigReply()
        #expect(try message.serialize(maxMessageSize: 300) == message.serialize(maxMessageSize: 576))
    }

    /// Codes in the options field proper, for checking where option 52 went.
    static func optionsFieldCodes(_ bytes: [UInt8]) -> [UInt8] {
        var codes: [UInt8] = []
        var index = 240
        while index + 1 < bytes.count, bytes[index] != 255 {
            codes.append(bytes[index])
            index += bytes[index] == 0 ? 1 : 2 + Int(bytes[index + 1])
        }
        return codes
    }
}
