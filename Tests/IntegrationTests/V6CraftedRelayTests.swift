import DHCPWire
import Foundation
import LeaseStore
import Testing

/// DHCPv6 messages crafted in the test and relayed to a real `lessor serve` by a relay agent on
/// a routed veth (scripts/it/relay6.py in its namespace): a chain of two Relay-Forward levels, a
/// client that moves from link A to link B (RFC 8415 §18.3.3–18.3.5), and a stream of malformed
/// datagrams. Two links, each a /64 with its own pool, both reached only through relays.
@Suite("Crafted DHCPv6 relay traffic", .needsNetworkNamespaces, .timeLimit(.minutes(3)))
struct V6CraftedRelayTests {
    static let configuration = relayedV6Configuration(subnets: [
        ("linkA", "2001:db8:a::/64", "2001:db8:a::100-2001:db8:a::1ff"),
        ("linkB", "2001:db8:b::/64", "2001:db8:b::100-2001:db8:b::1ff"),
    ])

    /// The link-addresses the relays nearest the client set, one on each link.
    static let linkA = IPv6Address("2001:db8:a::1")!
    static let linkB = IPv6Address("2001:db8:b::1")!

    static func inPoolA(_ address: IPv6Address) -> Bool {
        IPv6Address("2001:db8:a::100")! <= address && address <= IPv6Address("2001:db8:a::1ff")!
    }

    static func inPoolB(_ address: IPv6Address) -> Bool {
        IPv6Address("2001:db8:b::100")! <= address && address <= IPv6Address("2001:db8:b::1ff")!
    }

    /// The lab: the server listening on 2001:db8:2::1, the relay at 2001:db8:2::2.
    static func run(_ tag: String, _ body: (Lab, CraftedRelay6) async throws -> Void) async throws {
        try await Lab.run(tag) { lab in
            let host = try await lab.veth("r1", address: "2001:db8:2::2/64", serverAddress: "2001:db8:2::1/64")
            try await lab.startServer(configuration: Self.configuration, listeners: 1)
            let relay = CraftedRelay6(
                lab: lab, host: host, address: IPv6Address("2001:db8:2::2")!, server: IPv6Address("2001:db8:2::1")!)
            try await body(lab, relay)
            lab.check(lab.serverIsRunning, "lessor serve exited")
        }
    }

    /// SOLICIT then REQUEST through one relay on `link`: the REPLY's address (checked to be the
    /// one advertised, with lifetimes) and the server's DUID.
    static func acquire(
        _ relay: CraftedRelay6, lab: Lab, mac: UInt8, xid: UInt32, link: IPv6Address
    ) async throws -> (address: IPv6Address, serverID: DUID) {
        let solicit = CraftedRelay6.message(.solicit, mac: mac, xid: xid)
        let advertise = try #require(RelayedReply6(try await relay.exchange(CraftedRelay6.forwarded(solicit, link: link, interfaceID: "a"))),
            "no Relay-Reply to the SOLICIT on \(link)")
        lab.check(advertise.message.messageType == .advertise && advertise.message.transactionID == xid, "the SOLICIT got \(advertise.message)")
        let offered = try #require(advertise.addresses.first?.address, "the ADVERTISE holds no address: \(advertise.message)")
        let serverID = try #require(try advertise.message.serverID, "the ADVERTISE has no Server Identifier")
        let request = CraftedRelay6.message(.request, mac: mac, xid: xid + 1, addresses: [offered], serverID: serverID)
        let reply = try #require(RelayedReply6(try await relay.exchange(CraftedRelay6.forwarded(request, link: link, interfaceID: "a"))),
            "no Relay-Reply to the REQUEST on \(link)")
        lab.check(reply.message.messageType == .reply && reply.message.transactionID == xid + 1 && reply.status == nil, "the REQUEST got \(reply.message)")
        lab.check(reply.addresses.map(\.address) == [offered] && reply.addresses[0].valid > 0, "the REPLY holds \(reply.addresses)")
        return (offered, serverID)
    }

    @Test func aTwoLevelRelayChainIsAnsweredThroughBothRelaysFromTheInnerLinksPool() async throws {
        try await Self.run("relay6chain") { lab, relay in
            let (inner, outer) = ("inner-eth7", "outer-ge-0/0/1")
            let solicit = CraftedRelay6.message(.solicit, mac: 1, xid: 0x0a_0001)
            let advertised = try await relay.exchange(relay.twiceForwarded(solicit, link: Self.linkA, inner: inner, outer: outer))
            let advertise = try #require(RelayedReply6(advertised), "the SOLICIT got no Relay-Reply: \(String(describing: advertised))")
            Self.checkLayers(advertise, relay: relay, inner: inner, outer: outer, lab: lab)
            lab.check(advertise.message.messageType == .advertise && advertise.message.transactionID == 0x0a_0001, "inside: \(advertise.message)")
            let offered = try #require(advertise.addresses.first?.address, "the ADVERTISE holds no address: \(advertise.message)")
            lab.check(Self.inPoolA(offered), "advertised \(offered), not from link A's pool")

            let request = CraftedRelay6.message(.request, mac: 1, xid: 0x0a_0002, addresses: [offered], serverID: try advertise.message.serverID)
            let replied = try await relay.exchange(relay.twiceForwarded(request, link: Self.linkA, inner: inner, outer: outer))
            let reply = try #require(RelayedReply6(replied), "the REQUEST got no Relay-Reply: \(String(describing: replied))")
            Self.checkLayers(reply, relay: relay, inner: inner, outer: outer, lab: lab)
            lab.check(reply.message.messageType == .reply && reply.message.transactionID == 0x0a_0002, "inside: \(reply.message)")
            lab.check(reply.addresses.map(\.address) == [offered] && reply.addresses.allSatisfy { $0.valid > 0 }, "the REPLY holds \(reply.addresses)")

            try await lab.waitForStore("\(offered) held in pool linkA, active") { leases in
                let lease = leases.holder(of: "\(offered)")
                return lease?.lease.pool == "linkA" && lease?.lease.state == .active
            }
        }
    }

    /// Outermost first: the Relay-Reply to this relay (hop 1, its link-address, the inner relay as
    /// peer, its Interface-Id), then the one for the inner relay (hop 0, link A, the client).
    static func checkLayers(_ reply: RelayedReply6, relay: CraftedRelay6, inner: String, outer: String, lab: Lab) {
        let layers = reply.layers
        lab.check(layers.count == 2 && layers.allSatisfy { $0.kind == .reply }, "\(layers.count) layers: \(layers)")
        guard layers.count == 2 else { return }
        lab.check(
            layers[0].hopCount == 1 && layers[0].linkAddress == relay.address && layers[0].peerAddress == CraftedRelay6.innerRelayAddress,
            "outer layer: \(layers[0])")
        lab.check(layers[0].interfaceID == Array(outer.utf8), "outer Interface-Id: \(String(describing: layers[0].interfaceID))")
        lab.check(
            layers[1].hopCount == 0 && layers[1].linkAddress == linkA && layers[1].peerAddress == CraftedRelay6.clientLinkLocal,
            "inner layer: \(layers[1])")
        lab.check(layers[1].interfaceID == Array(inner.utf8), "inner Interface-Id: \(String(describing: layers[1].interfaceID))")
    }

    /// docs/dhcpv6.md: CONFIRM answers NotOnLink when an address is not on the client's link;
    /// RENEW and REBIND give such addresses back with lifetimes 0.
    @Test func aClientThatMovedLinksGetsNotOnLinkAndZeroLifetimesThenAnAddressOnTheNewLink() async throws {
        try await Self.run("relay6moved") { lab, relay in
            let (old, serverID) = try await Self.acquire(relay, lab: lab, mac: 2, xid: 0x0b_0001, link: Self.linkA)
            lab.check(Self.inPoolA(old), "on link A the client got \(old)")

            // Now on link B, with the address from A.
            let confirm = CraftedRelay6.message(.confirm, mac: 2, xid: 0x0b_0010, addresses: [old])
            let confirmed = try #require(RelayedReply6(try await relay.exchange(CraftedRelay6.forwarded(confirm, link: Self.linkB, interfaceID: "b"))),
                "no reply to the CONFIRM on link B")
            lab.check(confirmed.message.messageType == .reply && confirmed.status == .notOnLink, "the CONFIRM on B got \(confirmed.message)")

            for (type, xid, server) in [(DHCPv6MessageType.renew, UInt32(0x0b_0020), Optional(serverID)), (.rebind, 0x0b_0030, nil)] {
                let message = CraftedRelay6.message(type, mac: 2, xid: xid, addresses: [old], serverID: server)
                let answer = try #require(RelayedReply6(try await relay.exchange(CraftedRelay6.forwarded(message, link: Self.linkB, interfaceID: "b"))),
                    "no reply to the \(type) on link B")
                lab.check(answer.message.messageType == .reply, "the \(type) on B got \(answer.message)")
                let returned = answer.addresses.filter { $0.address == old }
                lab.check(returned.count == 1 && returned.allSatisfy { $0.valid == 0 }, "the \(type) on B gave \(old) back as \(answer.addresses)")
                lab.check(answer.addresses.allSatisfy { $0.address == old || Self.inPoolB($0.address) }, "the \(type) on B offered \(answer.addresses)")
            }

            let new = try await Self.acquire(relay, lab: lab, mac: 2, xid: 0x0b_0040, link: Self.linkB).address
            lab.check(Self.inPoolB(new), "on link B the client got \(new)")
            let leases = try await lab.waitForStore("\(new) held in pool linkB, active") { leases in
                let lease = leases.holder(of: "\(new)")
                return lease?.lease.pool == "linkB" && lease?.lease.state == .active
            }
            lab.check(leases.holder(of: "\(old)")?.lease.state != .active, "the old address \(old) is still active:\n\(leases.summary)")
        }
    }

    static let malformedCount = 1500

    @Test func malformedDatagramsAreCountedAndARelayedSolicitIsStillAnswered() async throws {
        try await Self.run("relay6bad") { lab, relay in
            let before = try await Self.counters(lab)["malformed"] ?? 0
            let datagrams = try MalformedV6.stream(count: Self.malformedCount, seed: 11)
            let sent = try await relay.spray(datagrams)
            lab.check(sent == datagrams.count, "relay6.py sent \(sent) of \(datagrams.count)")
            // Most of the stream does not parse; some mutations still do and are answered or ignored.
            let counted = try await eventually("the malformed counter to rise by \(Self.malformedCount / 4)", timeout: .seconds(30)) { () -> UInt64? in
                let now = try await Self.counters(lab)["malformed"] ?? 0
                return now >= before + UInt64(Self.malformedCount / 4) ? now : nil
            }
            print("[relay6 malformed] sent \(sent), malformed counter \(before) -> \(counted)")
            lab.check(lab.serverIsRunning, "lessor serve died on malformed traffic")

            // Stale answers to mutated relayed messages may still be on their way: retry until ours.
            var advertise: RelayedReply6?
            for attempt in 0..<5 where advertise == nil {
                let xid = 0x0c_0001 + UInt32(attempt)
                let reply = RelayedReply6(try await relay.exchange(
                    CraftedRelay6.forwarded(CraftedRelay6.message(.solicit, mac: 3, xid: xid), link: Self.linkA, interfaceID: "a")))
                if reply?.message.transactionID == xid { advertise = reply }
            }
            let answer = try #require(advertise, "no ADVERTISE for a well-formed relayed SOLICIT after the stream")
            lab.check(answer.message.messageType == .advertise, "the SOLICIT got \(answer.message)")
            lab.check(answer.addresses.first.map { Self.inPoolA($0.address) } == true, "advertised \(answer.addresses)")
            lab.check(!lab.serverLog.contains("Fatal error") && !lab.serverLog.contains("fatal error"), "the server log shows a crash")
        }
    }

    /// `lessor ctl status`'s packet counters.
    static func counters(_ lab: Lab) async throws -> [String: UInt64] {
        let result = try await ChildProcess.run([Paths.lessor, "ctl", "status", "--socket", lab.controlSocketPath], timeout: .seconds(30))
        guard result.succeeded, let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] else {
            throw LabError("lessor ctl status failed: \(result)")
        }
        func find(_ value: Any) -> [String: UInt64]? {
            guard let dictionary = value as? [String: Any] else { return nil }
            if let counters = dictionary["counters"] as? [String: Any] { return counters.compactMapValues { ($0 as? NSNumber)?.uint64Value } }
            return dictionary.values.lazy.compactMap(find).first
        }
        return try find(object).orThrow("no counters in \(result.output)")
    }
}
