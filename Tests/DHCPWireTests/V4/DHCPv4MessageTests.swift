import DHCPWire
import Testing

struct DHCPv4MessageTests {
    @Test func parsesEveryHeaderField() throws {
        let message = try DHCPv4Message(parsing: DHCPv4HandBuiltPackets.dhclientDiscover)
        #expect(message.op == .bootRequest)
        #expect(message.htype == 1)
        #expect(message.hlen == 6)
        #expect(message.hops == 0)
        #expect(message.xid == 0x5e8b_1d42)
        #expect(message.secs == 3)
        #expect(message.flags == 0 && !message.isBroadcast)
        #expect(message.ciaddr == .any && message.yiaddr == .any && message.siaddr == .any && message.giaddr == .any)
        #expect(message.chaddr == HardwareAddress("52:54:00:0a:0b:0c"))
        #expect(message.sname == Bytes.zeros(64) && message.file == Bytes.zeros(128))
        #expect(message.serverName == "" && message.bootFileName == "")
        #expect(message.options.map(\.code) == [53, 12, 55])
        #expect(try message.messageType == .discover)
        #expect(try message.options.get(.hostName) == "host1")
    }

    @Test func aQuirkFreePacketSerialisesToTheSameBytes() throws {
        let bytes = DHCPv4HandBuiltPackets.dhcpcdDiscover
        #expect(try DHCPv4Message(parsing: bytes).serialize() == bytes)
    }

    @Test func serialisingPadsToTheBOOTPMinimum() throws {
        let message = DHCPv4Message(
            op: .bootRequest, xid: 1, chaddr: try #require(HardwareAddress("02:00:00:00:00:01")))
        let bytes = message.serialize()
        #expect(bytes.count == 300)
        #expect(Array(bytes[236..<241]) == [99, 130, 83, 99, 255])
        #expect(try DHCPv4Message(parsing: bytes) == message)
    }

    @Test func aWrongMagicCookieNamesTheCookieAtOffset236() {
        var bytes = DHCPv4HandBuiltPackets.dhclientDiscover
        bytes[239] = 0x64
        let error = wireError { try DHCPv4Message(parsing: bytes) }
        #expect(error?.field == "magic cookie")
        #expect(error?.offset == 236)
    }

    @Test func aPacketWithoutCookieIsTruncatedAtTheCookie() {
        let error = wireError { try DHCPv4Message(parsing: DHCPv4HandBuiltPackets.dhclientDiscover.prefix(236)) }
        #expect(error == .truncated("magic cookie", at: 236, needed: 4, available: 0))
    }

    @Test func aShortHeaderNamesTheFieldItEndsIn() {
        let error = wireError { try DHCPv4Message(parsing: DHCPv4HandBuiltPackets.dhclientDiscover.prefix(100)) }
        #expect(error == .truncated("sname", at: 44, needed: 64, available: 56))
        #expect(wireError { try DHCPv4Message(parsing: [UInt8]()) } == .truncated("op", at: 0, needed: 1, available: 0))
    }

    @Test func anOptionRunningPastTheEndNamesTheOptionAndItsOffset() {
        let bytes = dhcpv4Header() + [53, 1, 1, 51, 4, 0, 0]
        let error = wireError { try DHCPv4Message(parsing: bytes) }
        #expect(error == .truncated("option 51 (lease time)", at: 245, needed: 4, available: 2))
        let noLength = dhcpv4Header() + [200]
        #expect(
            wireError { try DHCPv4Message(parsing: noLength) }
                == .truncated(
                    "option 200: length", at: 241,
                    needed: 1, available: 0))
    }

    @Test func bytesAfterEndAreIgnoredAndAMissingEndIsTolerated() throws {
        let afterEnd = try DHCPv4Message(parsing: dhcpv4Header() + [53, 1, 1, 255, 51, 9, 1, 2])
        #expect(afterEnd.options.map(\.code) == [53])
        let noEnd = try DHCPv4Message(parsing: dhcpv4Header() + [53, 1, 1])
        #expect(noEnd == afterEnd)
    }

    @Test func padOptionsAreSkipped() throws {
        let message = try DHCPv4Message(parsing: dhcpv4Header() + [0, 0, 53, 1, 3, 0, 51, 4, 0, 0, 0, 60, 255])
        #expect(message.options.map(\.code) == [53, 51])
        #expect(try message.options.get(.leaseTime) == 60)
    }

    @Test func theBroadcastFlagIsBit15() {
        var message = DHCPv4Message(op: .bootRequest, xid: 1, chaddr: HardwareAddress(bytes: [1, 2, 3, 4, 5, 6])!)
        message.flags = 0x0001
        message.isBroadcast = true
        #expect(message.flags == 0x8001)
        message.isBroadcast = false
        #expect(message.flags == 0x0001)
    }

    @Test func chaddrHonoursHtypeAndHlen() throws {
        var bytes = DHCPv4HandBuiltPackets.dhclientDiscover
        bytes[1] = 6  // htype: IEEE 802
        bytes[2] = 4  // hlen: 4
        let message = try DHCPv4Message(parsing: bytes)
        #expect(message.chaddr == HardwareAddress(type: 6, bytes: [0x52, 0x54, 0x00, 0x0a]))
        #expect(message.htype == 6)
    }

    @Test func anHlenOver16KeepsItsValueAndChaddrGets16Bytes() throws {
        var bytes = DHCPv4HandBuiltPackets.dhclientDiscover
        bytes[2] = 20
        let message = try DHCPv4Message(parsing: bytes)
        #expect(message.hlen == 20)
        #expect(message.chaddr.bytes.count == 16)
        #expect(message.serialize() == bytes)
    }

    @Test func settingChaddrSetsHlen() {
        var message = DHCPv4Message(op: .bootRequest, xid: 1, chaddr: HardwareAddress(bytes: [1, 2, 3, 4, 5, 6])!)
        message.chaddr = HardwareAddress(type: 32, bytes: Array(repeating: 7, count: 16))!
        #expect(message.hlen == 16 && message.htype == 32)
    }

    @Test func snameAndFileReadAsTextUpToTheFirstNUL() throws {
        let sname = Bytes.ascii("tftp.example") + [0] + Bytes.ascii("junk") + Bytes.zeros(47)
        let file = Bytes.ascii("pxelinux.0") + Bytes.zeros(118)
        let message = try DHCPv4Message(parsing: dhcpv4Packet(options: [53, 1, 2], sname: sname, file: file))
        #expect(message.serverName == "tftp.example")
        #expect(message.bootFileName == "pxelinux.0")
        #expect(message.sname == sname)
    }

    @Test func settingTextFieldsCutsAtACharacterBoundaryLeavingANUL() {
        var message = DHCPv4Message(op: .bootReply, xid: 1, chaddr: HardwareAddress(bytes: [1, 2, 3, 4, 5, 6])!)
        message.bootFileName = String(repeating: "a", count: 126) + "é"  // é is 2 bytes: 128 in all
        #expect(message.bootFileName == String(repeating: "a", count: 126))
        #expect(message.file.count == 128 && message.file[127] == 0)
        message.serverName = "boot"
        #expect(message.sname == Bytes.ascii("boot") + Bytes.zeros(60))
        message.sname = [1, 2]
        #expect(message.sname.count == 64)
    }

    @Test func messageConveniencesReadTheirOptions() throws {
        var message = DHCPv4Message(op: .bootRequest, xid: 7, chaddr: HardwareAddress(bytes: [1, 2, 3, 4, 5, 6])!)
        #expect(try message.messageType == nil)
        message.options.set(.messageType, .request)
        message.options.set(.requestedAddress, IPv4Address(192, 0, 2, 9))
        message.options.set(.serverIdentifier, IPv4Address(192, 0, 2, 1))
        message.options.set(.clientIdentifier, DHCPv4ClientIdentifier(hardwareAddress: message.chaddr))
        #expect(try message.messageType == .request)
        #expect(try message.requestedAddress == IPv4Address(192, 0, 2, 9))
        #expect(try message.serverIdentifier == IPv4Address(192, 0, 2, 1))
        #expect(try message.clientIdentifier?.bytes == [1, 1, 2, 3, 4, 5, 6])
        #expect(try DHCPv4Message(parsing: message.serialize()) == message)
    }

    @Test func aMalformedMessageTypeThrowsFromTheConvenience() throws {
        let message = try DHCPv4Message(parsing: dhcpv4Packet(options: [53, 2, 1, 1]))
        #expect(
            wireError { try message.messageType }
                == .invalid(
                    "option 53 (message type)", at: 242 + 1,
                    "1 extra byte(s) after the value"))
    }

    @Test func descriptionShowsTypeAddressesAndDecodedOptions() throws {
        let text = try DHCPv4Message(parsing: DHCPv4HandBuiltPackets.keaOffer).description
        #expect(text.hasPrefix("OFFER xid 0x1001 chaddr 00:0c:01:02:03:04"))
        #expect(text.contains("yiaddr 192.0.2.100"))
        #expect(text.contains("51 lease time: 4000"))
        #expect(text.contains("6 domain name servers: [192.0.2.53, 192.0.2.54]"))
        let bad = try DHCPv4Message(parsing: dhcpv4Packet(options: [51, 3, 0, 0, 1]))
        #expect(bad.description.contains("51 lease time: malformed"))
    }
}

@Suite("Peeking at the message type")
struct DHCPv4PeekTests {
    @Test func findsTheTypeWithoutParsingAndNeverTraps() throws {
        var message = DHCPv4Message(op: .bootRequest, xid: 1, chaddr: HardwareAddress(bytes: [2, 0, 0, 0, 0, 1])!)
        message.options[12] = Array("host".utf8)
        message.options.set(.messageType, .request)
        let bytes = message.serialize()
        #expect(DHCPv4Message.peekMessageType(bytes) == .request)
        for length in 0..<bytes.count { _ = DHCPv4Message.peekMessageType(Array(bytes.prefix(length))) }
        var noCookie = bytes
        noCookie[236] = 0
        #expect(DHCPv4Message.peekMessageType(noCookie) == nil)
    }
}
