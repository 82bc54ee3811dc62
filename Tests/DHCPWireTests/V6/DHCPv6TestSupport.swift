import DHCPWire
import Testing

/// Option bytes built by hand, independent of the codec: code, length, payload.
func dhcpv6OptionBytes(_ code: UInt16, _ data: [UInt8]) -> [UInt8] {
    [UInt8(code >> 8), UInt8(code & 0xff), UInt8(data.count >> 8), UInt8(data.count & 0xff)] + data
}

/// Relay message bytes built by hand: header, `before` options, Relay Message option around `inner`,
/// `after` options. `type` 12 is RELAY-FORW, 13 RELAY-REPL.
func dhcpv6RelayBytes(
    type: UInt8 = 12, hopCount: UInt8, link: IPv6Address, peer: IPv6Address,
    before: [UInt8] = [], inner: [UInt8], after: [UInt8] = []
) -> [UInt8] {
    [type, hopCount] + link.bytes + peer.bytes + before + dhcpv6OptionBytes(9, inner) + after
}

/// An address literal that must parse; tests only.
func dhcpv6Address(_ text: String) -> IPv6Address {
    guard let address = IPv6Address(text) else { preconditionFailure("bad test address \(text)") }
    return address
}

/// Checks what CLIENTS.md says about the client that sent a packet, chosen by the packet's (file) name:
/// dhclient -6 uses DUID-LLT and IAID = the MAC's last four bytes, -P asks for IA_PD; dhcpcd -6 sends Rapid
/// Commit and asks for 82/83; perfdhcp in relay mode sends RELAY-FORW around SOLICIT or REQUEST; Kea answers
/// with ADVERTISE or REPLY carrying its Server ID.
func expectDHCPv6ClientFacts(name: String, _ packet: DHCPv6Message) throws {
    let (message, relays) = packet.unwrap()
    let fromClient: [DHCPv6MessageType] = [.solicit, .request, .confirm, .renew, .rebind, .release, .decline]
    if name.hasPrefix("dhclient"), fromClient.contains(message.messageType) {
        let duid = try #require(try message.clientID, "\(name): no Client ID")
        #expect(duid.type == 1, "\(name): dhclient -6 uses DUID-LLT")
        if name.contains("pd") {
            #expect(try !message.iaPD.isEmpty, "\(name): dhclient -P asks for a prefix")
        } else {
            let mac = try #require(duid.linkLayerAddress, "\(name): DUID-LLT without a link-layer address")
            let expected = mac.bytes.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let iaids = try message.iaNA.map(\.iaid)
            #expect(!iaids.isEmpty, "\(name): no IA_NA")
            #expect(iaids.allSatisfy { $0 == expected }, "\(name): IAIDs \(iaids) are not the MAC's last 4 bytes")
        }
    }
    if name.hasPrefix("dhcpcd"), message.messageType == .solicit {
        #expect(message.rapidCommit, "\(name): dhcpcd -6 sends Rapid Commit in SOLICIT")
        let oro = try message.oro ?? []
        #expect(oro.contains(.solMaxRT) && oro.contains(.infMaxRT), "\(name): ORO \(oro) lacks 82/83")
        #expect(try message.clientID?.type == 1, "\(name): dhcpcd -6 uses DUID-LLT")
    }
    if name.hasPrefix("perfdhcp"), name.contains("relay") {
        #expect(packet.messageType == .relayForward, "\(name): perfdhcp relays with RELAY-FORW")
        #expect(!relays.isEmpty)
        #expect([.solicit, .request].contains(message.messageType), "\(name): relayed \(message.messageType)")
    }
    if name.hasPrefix("kea") {
        #expect([.advertise, .reply].contains(message.messageType), "\(name): Kea sent \(message.messageType)")
        #expect(try message.serverID != nil, "\(name): no Server ID")
        #expect(relays.allSatisfy { $0.kind == .reply })
    }
}
