import DHCPWire
import Testing

@Suite("DHCPv6 identity associations")
struct DHCPv6IATests {
    /// REPLY with one IA_NA holding two addresses (the second with its own status) and an IA status.
    static let replyWithTwoAddresses: [UInt8] = [
        0x07, 0x00, 0x00, 0x05,  // REPLY, transaction-id 5
        0x00, 0x03, 0x00, 0x58,  // offset 4: option 3 (IA_NA), length 88
        0x01, 0x02, 0x03, 0x04,  //   offset 8: IAID
        0x00, 0x00, 0x03, 0xe8,  //   T1 1000
        0x00, 0x00, 0x07, 0xd0,  //   T2 2000
        0x00, 0x05, 0x00, 0x18,  //   offset 20: option 5 (IAADDR), length 24
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  //     2001:db8::1
        0x00, 0x00, 0x0b, 0xb8,  //     preferred 3000
        0x00, 0x00, 0x0f, 0xa0,  //     valid 4000
        0x00, 0x05, 0x00, 0x1e,  //   offset 48: option 5 (IAADDR), length 30
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,  //     2001:db8::2
        0x00, 0x00, 0x00, 0x00,  //     preferred 0
        0x00, 0x00, 0x00, 0x00,  //     valid 0: withdrawn
        0x00, 0x0d, 0x00, 0x02,  //     option 13 (Status Code), length 2
        0x00, 0x04,  //       NotOnLink, no message
        0x00, 0x0d, 0x00, 0x0a,  //   offset 82: option 13 (Status Code), length 10
        0x00, 0x00,  //     Success
        0x61, 0x73, 0x73, 0x69, 0x67, 0x6e, 0x65, 0x64,  //     "assigned"
    ]

    @Test func iaNAWithTwoAddressesAndStatusCodes() throws {
        let message = try DHCPv6ClientServerMessage(parsing: Self.replyWithTwoAddresses)
        #expect(message.serialize() == Self.replyWithTwoAddresses)
        let ia = try #require(try message.iaNA.first)
        #expect(ia.iaid == 0x0102_0304 && ia.t1 == 1000 && ia.t2 == 2000)
        let addresses = try ia.addresses
        #expect(addresses.map(\.address) == [dhcpv6Address("2001:db8::1"), dhcpv6Address("2001:db8::2")])
        #expect(addresses.map(\.validLifetime) == [4000, 0])
        #expect(try addresses[0].statusCode == nil)
        #expect(try addresses[1].statusCode == DHCPv6StatusCode(.notOnLink))
        #expect(try ia.statusCode == DHCPv6StatusCode(.success, message: "assigned"))
        #expect(try ia.statusCode?.isSuccess == true)

        // The same IA built from values encodes to the same payload.
        let built = DHCPv6IANA(
            iaid: 0x0102_0304, t1: 1000, t2: 2000,
            addresses: [
                DHCPv6IAAddress(address: dhcpv6Address("2001:db8::1"), preferredLifetime: 3000, validLifetime: 4000),
                DHCPv6IAAddress(
                    address: dhcpv6Address("2001:db8::2"), preferredLifetime: 0, validLifetime: 0,
                    options: [DHCPv6Option(DHCPv6StatusCode(.notOnLink))]),
            ],
            status: DHCPv6StatusCode(.success, message: "assigned"))
        #expect(built == ia)
        #expect(DHCPv6Option(built).data == Array(Self.replyWithTwoAddresses[8...]))
    }

    @Test func iaPDWithIAPrefix() throws {
        let message = try DHCPv6Message(parsing: DHCPv6TestPackets.keaRelayReply)
        let pd = try #require(try message.unwrap().message.iaPD.first)
        #expect(pd.iaid == 0x00aa_bbcc && pd.t1 == 1800 && pd.t2 == 2880)
        let prefix = try #require(try pd.prefixes.first)
        #expect(prefix.prefix == IPv6Prefix("2001:db8:ff00::/56"))
        #expect(prefix.preferredLifetime == 3600 && prefix.validLifetime == 7200)

        let built = DHCPv6IAPD(
            iaid: 0x00aa_bbcc, t1: 1800, t2: 2880,
            prefixes: [
                DHCPv6IAPrefix(
                    prefix: try #require(IPv6Prefix("2001:db8:ff00::/56")), preferredLifetime: 3600, validLifetime: 7200
                )
            ])
        #expect(built == pd)
        #expect(DHCPv6Option(built) == DHCPv6Option(pd))
    }

    @Test func iaPrefixHintWithHostBitsIsMaskedAndLengthOver128Rejected() throws {
        let hint = DHCPv6IAPrefix(prefix: try #require(IPv6Prefix("::/0")), preferredLifetime: 0, validLifetime: 0)
        var payload = DHCPv6Option(hint).data
        payload[8] = 48  // prefix-length 48
        payload[9] = 0x20  // 2000::
        payload[24] = 0x01  // ...::1, beyond the prefix length
        let decoded = try DHCPv6Option(code: .iaPrefix, data: payload).decode(as: DHCPv6IAPrefix.self)
        #expect(decoded.prefix == IPv6Prefix("2000::/48"))

        payload[8] = 129
        #expect(throws: WireError.invalid("option 26 (IAPREFIX) prefix-length", at: 8, "129 is more than 128")) {
            try DHCPv6Option(code: .iaPrefix, data: payload).decode(as: DHCPv6IAPrefix.self)
        }
    }

    @Test func iaTAHoldsAddressesWithoutTimers() throws {
        let ta = DHCPv6IATA(
            iaid: 7,
            addresses: [DHCPv6IAAddress(address: dhcpv6Address("fd00::7"), preferredLifetime: 60, validLifetime: 120)])
        let option = DHCPv6Option(ta)
        #expect(option.data.count == 4 + 28)
        let decoded = try option.decode(as: DHCPv6IATA.self)
        #expect(decoded == ta)
        #expect(try decoded.addresses.first?.address == dhcpv6Address("fd00::7"))
        var message = DHCPv6ClientServerMessage(messageType: .solicit, transactionID: 1)
        message.options.append(ta)
        #expect(try message.iaTA == [ta])
    }

    @Test func truncatedIAFieldIsNamedWithItsAbsoluteOffset() throws {
        // SOLICIT with an IA_NA whose 10-byte payload stops inside T2 (payload at offset 8, T2 at 16).
        let bytes: [UInt8] = [1, 0, 0, 1] + dhcpv6OptionBytes(3, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
        let message = try DHCPv6ClientServerMessage(parsing: bytes)
        #expect(throws: WireError.truncated("option 3 (IA_NA) T2", at: 16, needed: 4, available: 2)) {
            try message.iaNA
        }
    }

    @Test func truncatedNestedIAAddressIsNamedWithItsAbsoluteOffset() throws {
        // In the two-address REPLY, cut the first IAADDR to 22 bytes (its valid-lifetime at offset 44).
        var bytes = Self.replyWithTwoAddresses
        bytes[23] = 22  // IAADDR length 24 -> 22
        bytes.removeSubrange(46..<48)  // drop two bytes so the rest still lines up
        bytes[7] = 86  // IA_NA length 88 -> 86
        let ia = try #require(try DHCPv6ClientServerMessage(parsing: bytes).iaNA.first)
        #expect(throws: WireError.truncated("option 5 (IAADDR) valid-lifetime", at: 44, needed: 4, available: 2)) {
            try ia.addresses
        }
    }

    @Test func nestedOptionOverrunningItsIAIsAnError() throws {
        // IA_NA of 16 bytes whose nested option claims 24 bytes: its payload starts at offset 24.
        let ia: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0] + [0, 5, 0, 24]
        let message = try DHCPv6ClientServerMessage(parsing: [1, 0, 0, 1] + dhcpv6OptionBytes(3, ia))
        #expect(
            throws: WireError.truncated("option 3 (IA_NA) option 5 (IAADDR) payload", at: 24, needed: 24, available: 0)
        ) {
            try message.iaNA
        }
    }

    @Test func iaErrorsInsideARelayCountFromTheOuterPacket() throws {
        // The relayed SOLICIT starts at offset 38 (34-byte relay header, 4-byte Relay Message option header);
        // its IA_NA payload follows the 4-byte message header and 4-byte option header; T2 is 8 bytes in.
        let inner: [UInt8] = [1, 0, 0, 1] + dhcpv6OptionBytes(3, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
        let bytes = dhcpv6RelayBytes(hopCount: 0, link: .unspecified, peer: dhcpv6Address("fe80::1"), inner: inner)
        let message = try DHCPv6Message(parsing: bytes).unwrap().message
        #expect(throws: WireError.truncated("option 3 (IA_NA) T2", at: 38 + 4 + 4 + 8, needed: 4, available: 2)) {
            try message.iaNA
        }
    }
}
