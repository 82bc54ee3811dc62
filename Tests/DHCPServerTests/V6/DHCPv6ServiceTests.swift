import Allocation
import DHCPServer
import DHCPWire
import Foundation
import LeaseStore
import LeaseStoreSQLite
import Testing

private typealias H = DHCPv6TestHarness

/// The DHCPv6 pipeline in process: message flow, status codes, relays, reservations, failures.
@Suite("DHCPv6 service")
struct DHCPv6ServiceTests {
    static let lanPool = IPv6Range("2001:db8:1::100-2001:db8:1::103")!

    @Test func solicitAdvertiseRequestReplyForIANAAndIATAAndIAPDInOneMessage() async throws {
        let h = try await H.make(rapidCommit: false)
        let solicit = H.message(.solicit, client: 1, na: [1: []], ta: [2: []], pd: [3: []], rapidCommit: true)
        let (advertise, destination) = try #require(try await h.send(solicit))
        #expect(advertise.messageType == .advertise && advertise.transactionID == 0x42)
        #expect(destination == .client(H.clientLinkLocal, port: 546, interfaceIndex: 3))
        #expect(try advertise.serverID == H.serverDUID && advertise.clientID == H.duid(1))
        #expect(try advertise.preference == 7 && !advertise.rapidCommit)
        let na = try #require(try advertise.na(1))
        let address = try #require(try na.addresses.first)
        #expect(Self.lanPool.contains(address.address))
        #expect(address.preferredLifetime == 1000 && address.validLifetime == 2000)
        #expect(na.t1 == 500 && na.t2 == 800, "0.5 and 0.8 of the preferred lifetime")
        let temporary = try #require(try advertise.ta(2)?.addresses.first)
        #expect(IPv6Range("2001:db8:1::1:0-2001:db8:1::1:1")!.contains(temporary.address))
        #expect(temporary.preferredLifetime == 1800, "the subnet's temporary lifetimes")
        let prefix = try #require(try advertise.pd(3)?.prefixes.first)
        #expect(prefix.prefix.length == 56 && IPv6Prefix("2001:db8:100::/54")!.contains(prefix.prefix.address))
        #expect(try await h.store.read(.duid(H.duid(1))).isEmpty, "an ADVERTISE writes nothing")

        let request = H.message(
            .request, client: 1, na: [1: [address.address]], ta: [2: [temporary.address]], pd: [3: [prefix.prefix]],
            server: H.serverDUID)
        let reply = try #require(try await h.reply(request))
        #expect(reply.messageType == .reply)
        #expect(try reply.na(1)?.addresses.first?.address == address.address)
        #expect(try reply.ta(2)?.addresses.first?.address == temporary.address)
        #expect(try reply.pd(3)?.prefixes.first?.prefix == prefix.prefix)
        #expect(try reply.statusCode == nil)
        let leases = try await h.store.read(.duid(H.duid(1)))
        #expect(Set(leases.map(\.key)) == [LeaseKey(kind: .iaNA, iaid: 1), LeaseKey(kind: .iaTA, iaid: 2), LeaseKey(kind: .iaPD, iaid: 3)])
        #expect(leases.allSatisfy { $0.state == .active })
        #expect(Set(leases.map(\.owner)) == ["range6", "privacy", "prefix"])
    }

    @Test func severalIANAsGetALeaseEach() async throws {
        let h = try await H.make()
        let reply = try #require(try await h.reply(H.message(.solicit, client: 2, na: [1: [], 2: [], 3: []], rapidCommit: true)))
        #expect(reply.messageType == .reply && reply.rapidCommit)
        let addresses = try [1, 2, 3].compactMap { try reply.na($0)?.addresses.first?.address }
        #expect(Set(addresses).count == 3)
        let leases = try await h.store.read(.duid(H.duid(2)))
        #expect(leases.map(\.iaid).sorted() == [1, 2, 3] && leases.allSatisfy { $0.kind == .iaNA && $0.elements.count == 1 })
    }

    @Test func rapidCommitOnlyWhenConfiguredAndAsked() async throws {
        let h = try await H.make()
        let committed = try #require(try await h.reply(H.message(.solicit, client: 3, na: [1: []], rapidCommit: true, fqdn: "host3.example.org")))
        #expect(committed.messageType == .reply && committed.rapidCommit)
        let lease = try #require(try await h.store.read(.duid(H.duid(3))).first)
        #expect(lease.state == .active && lease.hostname == "host3.example.org")
        #expect(try await h.reply(H.message(.solicit, client: 4, na: [1: []]))?.messageType == .advertise)
        let off = try await H.make(rapidCommit: false)
        #expect(try await off.reply(H.message(.solicit, client: 3, na: [1: []], rapidCommit: true))?.messageType == .advertise)
    }

    /// Client 1 holds an IA_NA and an IA_PD committed with Rapid Commit.
    private func bound(_ h: H) async throws -> (IPv6Address, IPv6Prefix) {
        let reply = try #require(try await h.reply(H.message(.solicit, client: 1, na: [1: []], pd: [9: []], rapidCommit: true)))
        return (try #require(try reply.na(1)?.addresses.first?.address), try #require(try reply.pd(9)?.prefixes.first?.prefix))
    }

    @Test func renewAndRebindExtendWhatIsHeldAndSayNoBindingForTheRest() async throws {
        let h = try await H.make()
        let (address, prefix) = try await bound(h)
        h.clock.advance(by: .seconds(500))
        let renewed = try #require(
            try await h.reply(H.message(.renew, client: 1, na: [1: [address], 5: []], pd: [9: [prefix]], server: H.serverDUID)))
        #expect(try renewed.na(1)?.addresses.first?.address == address)
        #expect(try renewed.na(1)?.addresses.first?.validLifetime == 2000, "renewed from now")
        #expect(try renewed.pd(9)?.prefixes.first?.prefix == prefix)
        #expect(try renewed.na(5)?.statusCode?.status == .noBinding)
        let rebound = try #require(try await h.reply(H.message(.rebind, client: 1, na: [1: [address]])))
        #expect(try rebound.na(1)?.addresses.first?.address == address)
        // A REBIND for nothing this server knows gets no reply (another server may hold it).
        #expect(try await h.reply(H.message(.rebind, client: 7, na: [1: []])) == nil)
    }

    @Test func releaseAndDecline() async throws {
        let h = try await H.make()
        let (address, prefix) = try await bound(h)
        let released = try #require(
            try await h.reply(H.message(.release, client: 1, na: [1: [address], 2: []], pd: [9: [prefix]], server: H.serverDUID)))
        #expect(try released.statusCode?.status == .success)
        #expect(try released.na(1) == nil && released.pd(9) == nil, "only IAs not held are listed")
        #expect(try released.na(2)?.statusCode?.status == .noBinding)
        #expect(try await h.store.read(.duid(H.duid(1))).isEmpty)

        let again = try #require(try await h.reply(H.message(.solicit, client: 2, na: [1: []], rapidCommit: true)))
        let other = try #require(try again.na(1)?.addresses.first?.address)
        let declined = try #require(try await h.reply(H.message(.decline, client: 2, na: [1: [other]], server: H.serverDUID)))
        #expect(try declined.statusCode?.status == .success && declined.na(1) == nil)
        #expect(try await h.store.read(.duid(H.duid(2))).isEmpty)
        #expect(try await h.store.holder(of: .ipv6(other))?.lease.state == .declined, "quarantined")
    }

    @Test func confirmSaysSuccessOnLinkNotOnLinkElsewhereAndNothingWithoutAddresses() async throws {
        let h = try await H.make()
        let onLink = try #require(try await h.reply(H.message(.confirm, client: 1, na: [1: [IPv6Address("2001:db8:1::100")!]])))
        #expect(try onLink.statusCode?.status == .success && onLink.messageType == .reply)
        let moved = try #require(try await h.reply(H.message(.confirm, client: 1, na: [1: [IPv6Address("2001:db8:2::100")!]])))
        #expect(try moved.statusCode?.status == .notOnLink)
        #expect(try await h.reply(H.message(.confirm, client: 1, na: [1: []])) == nil)
    }

    @Test func informationRequestGetsConfigurationOnlyAsTheOROAsks() async throws {
        let h = try await H.make()
        let all = try #require(try await h.reply(H.message(.informationRequest, client: nil)))
        #expect(try all.dnsServers == [IPv6Address("2001:db8:1::53")!])
        #expect(try all.domainSearchList?.map(\.description) == ["example.org"])
        #expect(try all.iaNA.isEmpty && all.clientID == nil)
        let asked = try #require(try await h.reply(H.message(.informationRequest, client: 1, oro: [.domainSearchList])))
        #expect(try asked.dnsServers == nil && asked.domainSearchList != nil)
        #expect(try await h.store.read(.duid(H.duid(1))).isEmpty)
    }

    @Test func aClientThatMovedGetsNotOnLinkLifetimesZeroOrNoBinding() async throws {
        let h = try await H.make()
        let (address, _) = try await bound(h)
        // The client now sits behind the relay on 2001:db8:2::/64 and renews its old address there.
        let renew = H.message(.renew, client: 1, na: [1: [address]], server: H.serverDUID)
        let relayed = Self.relayForward(renew, link: IPv6Address("2001:db8:2::1")!)
        let reply = try #require(try await h.service.handle(relayed.serialize(), origin: Self.fromRelay).map {
            try DHCPv6Message(parsing: $0.bytes).unwrap().message
        })
        let withdrawn = try #require(try reply.na(1)?.addresses.first)
        #expect(withdrawn.address == address && withdrawn.preferredLifetime == 0 && withdrawn.validLifetime == 0)
        // A client with no binding at all renewing on the new link: NoBinding.
        let stranger = Self.relayForward(
            H.message(.renew, client: 8, na: [1: [address]], server: H.serverDUID), link: IPv6Address("2001:db8:2::1")!)
        let noBinding = try #require(try await h.service.handle(stranger.serialize(), origin: Self.fromRelay).map {
            try DHCPv6Message(parsing: $0.bytes).unwrap().message
        })
        #expect(try noBinding.na(1)?.statusCode?.status == .noBinding)
    }

    @Test func exhaustionGivesNoAddrsAvailAndNoPrefixAvail() async throws {
        let h = try await H.make()
        for n in UInt8(1)...4 {
            let reply = try #require(try await h.reply(H.message(.solicit, client: n, na: [1: []], pd: [2: []], rapidCommit: true)))
            #expect(try reply.na(1)?.addresses.count == 1 && reply.pd(2)?.prefixes.count == 1)
        }
        let late = try #require(try await h.reply(H.message(.solicit, client: 5, na: [1: []], pd: [2: []])))
        #expect(late.messageType == .advertise)
        #expect(try late.na(1)?.statusCode?.status == .noAddrsAvail && late.na(1)?.addresses.isEmpty == true)
        #expect(try late.pd(2)?.statusCode?.status == .noPrefixAvail)
        #expect(try late.statusCode?.status == .noAddrsAvail, "RFC 8415 §18.3.9: nothing for any IA")
        let request = try #require(try await h.reply(H.message(.request, client: 5, na: [1: []], server: H.serverDUID)))
        #expect(try request.na(1)?.statusCode?.status == .noAddrsAvail && request.statusCode == nil)
    }

    @Test func aReservationSatisfiesAnIAFirstAndThePoolsTheRest() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lessor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("static6.yaml").path
        try "- {duid: \"\(H.duid(1))\", address: \"2001:db8:1::101\", hostname: printer}\n".write(toFile: file, atomically: true, encoding: .utf8)
        var plugins = H.allPlugins
        plugins.insert(.init(name: .static6, file: file), at: 2)
        let h = try await H.make(plugins: plugins)
        let reply = try #require(try await h.reply(H.message(.solicit, client: 1, na: [1: [], 2: []], rapidCommit: true)))
        #expect(try reply.na(1)?.addresses.first?.address == IPv6Address("2001:db8:1::101"))
        let pooled = try #require(try reply.na(2)?.addresses.first?.address)
        #expect(pooled != IPv6Address("2001:db8:1::101") && Self.lanPool.contains(pooled))
        let leases = try await h.store.read(.duid(H.duid(1))).sorted { $0.iaid < $1.iaid }
        #expect(leases.map(\.owner) == ["static6", "range6"] && leases[0].hostname == "printer")
        // The reserved address is never handed to anyone else, even when the pool runs low.
        var others: Set<IPv6Address> = []
        for n in UInt8(2)...4 {
            if let address = try await h.reply(H.message(.solicit, client: n, na: [1: []], rapidCommit: true))?.na(1)?.addresses.first?.address {
                others.insert(address)
            }
        }
        #expect(!others.contains(IPv6Address("2001:db8:1::101")!) && others.count == 2)
    }

    static let fromRelay = PacketOrigin6(
        interface: "eth0", interfaceIndex: 2, destination: IPv6Address("2001:db8:ffff::10")!,
        sourceAddress: IPv6Address("2001:db8:ffff::2")!, sourcePort: 547)

    static func relayForward(_ message: DHCPv6ClientServerMessage, link: IPv6Address, interfaceID: [UInt8] = [1, 2, 3]) -> DHCPv6Message {
        .relay(
            DHCPv6RelayMessage(
                kind: .forward, hopCount: 0, linkAddress: link, peerAddress: H.clientLinkLocal,
                options: [DHCPv6Option(DHCPv6InterfaceID(bytes: interfaceID))], message: .clientServer(message)))
    }

    @Test func aTwoLevelRelayChainIsAnsweredThroughBothRelays() async throws {
        let h = try await H.make()
        let inner = Self.relayForward(H.message(.solicit, client: 6, na: [1: []], rapidCommit: true), link: IPv6Address("2001:db8:2::1")!, interfaceID: Array("port-7".utf8))
        let outer = DHCPv6Message.relay(
            DHCPv6RelayMessage(
                kind: .forward, hopCount: 1, linkAddress: .unspecified, peerAddress: IPv6Address("2001:db8:ffff::3")!,
                options: [DHCPv6Option(DHCPv6InterfaceID(bytes: Array("uplink".utf8)))], message: inner))
        let reply = try #require(await h.service.handle(outer.serialize(), origin: Self.fromRelay))
        #expect(reply.destination == .relay(IPv6Address("2001:db8:ffff::2")!, port: 547, interfaceIndex: 2))
        let parsed = try DHCPv6Message(parsing: reply.bytes)
        let (message, relays) = parsed.unwrap()
        #expect(relays.map(\.kind) == [.reply, .reply])
        #expect(relays.map(\.interfaceID) == [Array("uplink".utf8), Array("port-7".utf8)])
        #expect(relays.map(\.peerAddress) == [IPv6Address("2001:db8:ffff::3")!, H.clientLinkLocal])
        #expect(message.messageType == .reply)
        // The innermost non-zero link-address chose the relayed subnet.
        let address = try #require(try message.na(1)?.addresses.first)
        #expect(IPv6Prefix("2001:db8:2::/64")!.contains(address.address))
        #expect(try message.na(1)?.t1 == 100 && message.na(1)?.t2 == 200, "the subnet's renewal and rebinding times")
    }

    @Test func unicastFromAClientWithoutServerUnicastGetsUseMulticast() async throws {
        let h = try await H.make()
        let unicast = PacketOrigin6(
            interface: "eth1", interfaceIndex: 3, destination: IPv6Address("2001:db8:1::1")!, sourceAddress: H.clientLinkLocal,
            sourcePort: 546)
        let reply = try #require(try await h.reply(H.message(.request, client: 1, na: [1: []], server: H.serverDUID), from: unicast))
        #expect(try reply.statusCode?.status == .useMulticast && reply.iaNA.isEmpty)
        #expect(try await h.store.read(.duid(H.duid(1))).isEmpty)
    }

    @Test func serverAndClientIdentifierRules() async throws {
        let h = try await H.make()
        let other = H.duid(200)
        #expect(try await h.reply(H.message(.request, client: 1, na: [1: []], server: other)) == nil)
        #expect(try await h.reply(H.message(.request, client: 1, na: [1: []])) == nil, "REQUEST must name a server")
        #expect(try await h.reply(H.message(.solicit, client: 1, na: [1: []], server: H.serverDUID)) == nil)
        #expect(try await h.reply(H.message(.solicit, client: nil, na: [1: []])) == nil, "no Client ID")
        #expect(try await h.reply(H.message(.informationRequest, client: 1, server: other)) == nil)
        #expect(try await h.reply(H.message(.advertise, client: 1)) == nil)
        #expect(h.service.counters[.ignored] == 5 && h.service.counters[.malformed] == 1)
    }

    @Test func malformedAndTruncatedMessagesAreCountedAndAnsweredWithNothing() async throws {
        let h = try await H.make()
        let good = H.message(.solicit, client: 1, na: [1: []]).serialize()
        // Every cut is malformed, except the two that end right after the Client ID and the Elapsed
        // Time options: those are complete SOLICITs without an IA (answered, with NoAddrsAvail).
        var answered = 0
        for length in 0..<good.count where await h.service.handle(Array(good[..<length]), origin: H.onLAN) != nil {
            answered += 1
        }
        #expect(answered == 2)
        #expect(h.service.counters[.malformed] == UInt64(good.count - 2))
        // A seeded mutation loop over real clients' messages never crashes the service.
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("DHCPWireTests/Fixtures/v6")
        let files = try FileManager.default.contentsOfDirectory(atPath: fixtures.path).filter { $0.hasSuffix(".bin") }.sorted()
        #expect(files.count > 10)
        var random = SplitMix64(seed: 0x5eed)
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: fixtures.appendingPathComponent(file)))
            _ = await h.service.handle(bytes, origin: H.onLAN)
            for _ in 0..<200 {
                var mutated = bytes
                for _ in 0..<(1 + Int(random.next() % 4)) where !mutated.isEmpty {
                    mutated[Int(random.next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: random.next())
                }
                if random.next() % 4 == 0 { mutated.removeLast(Int(random.next() % UInt64(mutated.count + 1))) }
                _ = await h.service.handle(mutated, origin: H.onLAN)
            }
        }
        // And the service still serves.
        #expect(try await h.reply(H.message(.solicit, client: 9, na: [1: []]))?.messageType == .advertise)
    }

    @Test func aStoreThatFailsMeansNoReplyNotAnUnrecordedLease() async throws {
        let sqlite = TemporarySQLite()
        let h = try await H.make(makeStore: sqlite.make)
        let (address, _) = try await bound(h)
        #expect(try await h.store.read(.duid(H.duid(1))).count == 2, "stored in SQLite")
        await sqlite.store?.close()
        #expect(try await h.reply(H.message(.solicit, client: 2, na: [1: []], rapidCommit: true)) == nil)
        #expect(try await h.reply(H.message(.renew, client: 1, na: [1: [address]], server: H.serverDUID)) == nil)
        #expect(h.service.counters[.storeFailures] == 2)
    }
}

/// The server DUID: generated once, kept in its file, reused; a damaged file is a clear error.
@Suite("server DUID file")
struct ServerDUIDFileTests {
    @Test func generatedOncePersistedAndReused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lessor-duid-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let mac = HardwareAddress(bytes: [0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee])!
        let first = try ServerDUIDFile.loadOrCreate(path: path, now: Date(timeIntervalSince1970: 946_684_800 + 0x1234)) { mac }
        #expect(first.kind == .linkLayerPlusTime(hardwareType: 1, time: 0x1234, address: mac.bytes))
        let again = try ServerDUIDFile.loadOrCreate(path: path) { HardwareAddress(bytes: [2, 0, 0, 0, 0, 9]) }
        #expect(again == first)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == first.description + "\n")
        #expect(ServerDUIDFile.generate(now: Date(), linkLayerAddress: nil).type == 4, "DUID-UUID without a MAC")
    }

    @Test func aDamagedFileIsAnErrorNamingIt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lessor-duid-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "not a duid\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: ServerDUIDFile.Failure.self) { try ServerDUIDFile.loadOrCreate(path: path) }
        #expect(error.description.hasPrefix("\(path): not a server DUID"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not a duid\n", "never overwritten")
    }

    @Test func defaultPathIsBesideTheDatabase() {
        #expect(ServerDUIDFile.defaultPath(for: StoreConfiguration(provider: .sqlite(path: "/var/lib/lessor/leases.sqlite", synchronous: "full"))) == "/var/lib/lessor/lessor-server-duid")
        #expect(ServerDUIDFile.defaultPath(for: StoreConfiguration(provider: .memory), workingDirectory: "/srv") == "/srv/lessor-server-duid")
    }
}
