import DHCPWire
import Testing

@Suite("DHCPv6 relay messages")
struct DHCPv6RelayTests {
    static let clientLink = dhcpv6Address("2001:db8:1::1")
    static let client = dhcpv6Address("fe80::5054:ff:fe12:3456")
    static let firstRelay = dhcpv6Address("2001:db8:ffff::1")

    /// RELAY-FORW (hop 1, from the second relay) around RELAY-FORW (hop 0, from the first) around
    /// dhclient's SOLICIT. The inner layer has Interface-Id before its Relay Message and a Remote-Id after it.
    static let twoLevelRelay: [UInt8] = dhcpv6RelayBytes(
        hopCount: 1, link: .unspecified, peer: firstRelay,
        before: dhcpv6OptionBytes(18, Array("uplink".utf8)),
        inner: dhcpv6RelayBytes(
            hopCount: 0, link: clientLink, peer: client,
            before: dhcpv6OptionBytes(18, Array("eth1".utf8)),
            inner: DHCPv6TestPackets.dhclientSolicit,
            after: dhcpv6OptionBytes(37, [0, 0, 0, 9, 1, 2, 3])))

    @Test func twoLevelRelayRoundTripsAndYieldsItsChain() throws {
        let message = try DHCPv6Message(parsing: Self.twoLevelRelay)
        #expect(message.serialize() == Self.twoLevelRelay)
        #expect(message.messageType == .relayForward)

        let (inner, relays) = message.unwrap()
        #expect(inner == (try DHCPv6ClientServerMessage(parsing: DHCPv6TestPackets.dhclientSolicit)))
        #expect(relays.count == 2)
        #expect(relays.map(\.hopCount) == [1, 0])
        #expect(relays.map(\.linkAddress) == [.unspecified, Self.clientLink])
        #expect(relays.map(\.peerAddress) == [Self.firstRelay, Self.client])
        #expect(relays.map(\.interfaceID) == [Array("uplink".utf8), Array("eth1".utf8)])
        #expect(relays[1].options.map(\.code) == [.interfaceID, .remoteID])
        #expect(relays.allSatisfy { $0.kind == .forward })

        guard case .relay(let outer) = message, case .relay(let nested) = outer.message else {
            Issue.record("expected two relay layers")
            return
        }
        #expect(outer.relayMessagePosition == 1)
        #expect(nested.relayMessagePosition == 1)
        // Rebuilt from its layer, the outer relay puts its Relay Message last, which is where it was.
        #expect(DHCPv6Message.relay(DHCPv6RelayMessage(layer: outer.layer, message: outer.message)) == message)
        #expect(message.description.hasPrefix("RELAY-FORW hop 1 link :: peer 2001:db8:ffff::1 > RELAY-FORW hop 0"))
    }

    @Test func relayMessagePositionIsKeptWhereverTheOptionWas() throws {
        let message = try DHCPv6Message(parsing: DHCPv6TestPackets.keaRelayReply)
        guard case .relay(let relay) = message else {
            Issue.record("expected a relay message")
            return
        }
        #expect(relay.kind == .reply && relay.relayMessagePosition == 0)
        #expect(relay.options.map(\.code) == [.interfaceID])
        #expect(message.serialize() == DHCPv6TestPackets.keaRelayReply)
    }

    @Test func relayLayerFieldsIncludeTheClientLinkLayerAddress() throws {
        let (inner, relays) = try DHCPv6Message(parsing: DHCPv6TestPackets.perfdhcpRelaySolicit).unwrap()
        #expect(inner.messageType == .solicit && inner.transactionID == 0x2a)
        let relay = try #require(relays.first)
        #expect(try relay.clientLinkLayerAddress == HardwareAddress("52:54:00:12:34:56"))
        #expect(relay.interfaceID == Array("eth1".utf8))
    }

    /// `layers` RELAY-FORW layers around a minimal SOLICIT.
    static func nested(layers: Int) -> [UInt8] {
        var bytes: [UInt8] = [1, 0, 0, 1]
        for hop in 0..<layers {
            bytes = dhcpv6RelayBytes(
                hopCount: UInt8(truncatingIfNeeded: hop), link: .unspecified, peer: client, inner: bytes)
        }
        return bytes
    }

    @Test func nineRelayLayersParseAndTheTenthIsRejected() throws {
        let nine = Self.nested(layers: DHCPv6RelayMessage.maximumLayers)
        let message = try DHCPv6Message(parsing: nine)
        #expect(message.unwrap().relays.count == 9)
        #expect(message.serialize() == nine)

        // The tenth layer's msg-type sits after nine 38-byte relay headers.
        #expect(
            throws: WireError.invalid(
                "RELAY-FORW", at: 9 * 38, "more than 9 nested relay layers (HOP_COUNT_LIMIT is 8)")
        ) {
            try DHCPv6Message(parsing: Self.nested(layers: 10))
        }
    }

    @Test func deeplyNestedRelaysAreRejectedWithoutDeepRecursion() {
        // 1,600 layers would overflow a naive recursive parser's stack long before anything else.
        #expect(throws: WireError.self) { try DHCPv6Message(parsing: Self.nested(layers: 1600)) }
    }

    @Test func relayWithoutRelayMessageOptionIsRejected() {
        let bytes: [UInt8] = [12, 0] + Self.clientLink.bytes + Self.client.bytes + dhcpv6OptionBytes(18, [1])
        #expect(throws: WireError.invalid("RELAY-FORW", at: 0, "has no Relay Message option (9)")) {
            try DHCPv6Message(parsing: bytes)
        }
        #expect(throws: WireError.truncated("peer-address", at: 18, needed: 16, available: 4)) {
            try DHCPv6Message(parsing: Array(bytes[0..<22]))
        }
    }

    @Test func errorsInsideARelayedMessageUseOuterOffsets() {
        // The relayed SOLICIT (at offset 38) ends with a lone option code byte pair at 42.
        let bytes = dhcpv6RelayBytes(hopCount: 0, link: .unspecified, peer: Self.client, inner: [1, 0, 0, 1, 0, 8, 0])
        #expect(throws: WireError.truncated("option 8 (ELAPSED_TIME) length", at: 44, needed: 2, available: 1)) {
            try DHCPv6Message(parsing: bytes)
        }
    }

    @Test func repeatedRelayMessageOptionsStayRaw() throws {
        let inner: [UInt8] = [1, 0, 0, 1]
        let bytes = dhcpv6RelayBytes(
            hopCount: 0, link: .unspecified, peer: Self.client, inner: inner, after: dhcpv6OptionBytes(9, [7, 0, 0, 2]))
        let message = try DHCPv6Message(parsing: bytes)
        #expect(message.serialize() == bytes)
        guard case .relay(let relay) = message else {
            Issue.record("expected a relay message")
            return
        }
        let extra = try #require(try relay.options.first(DHCPv6RelayedMessage.self))
        #expect(extra.message.messageType == .reply)
    }

    @Test func relayReplyMirrorsTheForwardChain() throws {
        let request = try DHCPv6Message(parsing: Self.twoLevelRelay)
        let (solicit, relays) = request.unwrap()
        let advertise = DHCPv6ClientServerMessage(
            messageType: .advertise, transactionID: solicit.transactionID,
            options: [DHCPv6Option(DHCPv6ServerIdentifier(duid: try DUID(bytes: [0, 3, 0, 1, 2, 0, 0, 0, 0, 1])))])

        let reply = try DHCPv6Message.relayReply(advertise, through: relays)
        let expected = dhcpv6RelayBytes(
            type: 13, hopCount: 1, link: .unspecified, peer: Self.firstRelay,
            before: dhcpv6OptionBytes(18, Array("uplink".utf8)),
            inner: dhcpv6RelayBytes(
                type: 13, hopCount: 0, link: Self.clientLink, peer: Self.client,
                before: dhcpv6OptionBytes(18, Array("eth1".utf8)), inner: advertise.serialize()))
        #expect(reply.serialize() == expected)
        #expect(reply.unwrap().message == advertise)
        #expect(reply.unwrap().relays.allSatisfy { $0.kind == .reply })
        #expect(try DHCPv6Message.relayReply(advertise, through: []) == .clientServer(advertise))
    }

    @Test func relayReplyEchoesOptionsNamedInEchoRequest() throws {
        let remoteID = DHCPv6Option(code: .remoteID, data: [0, 0, 0, 9, 0xab])
        let layer = DHCPv6RelayLayer(
            kind: .forward, hopCount: 0, linkAddress: Self.clientLink, peerAddress: Self.client,
            options: [
                DHCPv6Option(DHCPv6EchoRequest(codes: [.remoteID, .relayMessage])), remoteID,
                DHCPv6Option(code: .clientLinkLayerAddress, data: [0, 1, 1, 2, 3, 4, 5, 6]),
            ])
        let reply = try DHCPv6Message.relayReply(
            DHCPv6ClientServerMessage(messageType: .reply, transactionID: 1), through: [layer])
        #expect(reply.unwrap().relays.first?.options == [remoteID])
    }

    @Test func relayReplyTooLargeForAnOptionIsAnError() throws {
        let huge = DHCPv6ClientServerMessage(
            messageType: .reply, transactionID: 1,
            options: [DHCPv6Option(code: 200, data: Array(repeating: 0, count: 65_535))])
        let layer = DHCPv6RelayLayer(
            kind: .forward, hopCount: 0, linkAddress: Self.clientLink, peerAddress: Self.client)
        #expect(throws: WireError(offset: 0, field: "option 9 (RELAY_MSG)", reason: .tooLong(65_539 + 4))) {
            try DHCPv6Message.relayReply(huge, through: [layer])
        }
    }
}
