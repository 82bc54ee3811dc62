import Allocation
import DHCPServer
import DHCPWire
import Foundation
import LeaseStore
import LeaseStoreSQLite
import Testing

@Suite("DHCPv4 pipeline")
struct DHCPv4ServiceTests {
    typealias H = DHCPv4TestHarness

    @Test func discoverRequestGetsAnAddressThatTheStoreHolds() async throws {
        let h = try await H.make()
        let (offer, offerTo) = try #require(try await h.send(H.message(.discover, mac: 1)))
        #expect(try offer.messageType == .offer)
        #expect(offer.op == .bootReply)
        #expect(offerTo == .broadcast)
        #expect(H.lan.pools[0].first <= offer.yiaddr && offer.yiaddr <= H.lan.pools[0].last)
        #expect(try offer.serverIdentifier == H.serverID)
        #expect(try offer.options.get(.leaseTime) == 600)
        #expect(try offer.options.get(.renewalTime) == 300)
        #expect(try offer.options.get(.routers) == [IPv4Address(192, 0, 2, 1)])
        #expect(try offer.options.get(.subnetMask) == IPv4Address(255, 255, 255, 0))
        // An offer is held in memory, not written: the REQUEST makes the one durable write.
        #expect(try await h.store.read(.hardware(H.mac(1))).isEmpty)
        #expect(await h.allocator.offeredCount == 1)

        let (ack, _) = try #require(try await h.send(H.message(.request, mac: 1, requested: offer.yiaddr, server: H.serverID)))
        #expect(try ack.messageType == .ack)
        #expect(ack.yiaddr == offer.yiaddr)
        let stored = try await h.store.read(.hardware(H.mac(1)))
        #expect(stored.first?.state == .active)
        #expect(stored.first?.ipv4 == offer.yiaddr)
        #expect(stored.first?.hostname == "host-1")
        #expect(stored.first?.expiresAt == h.clock.now() + 600)
    }

    @Test func anOfferedAddressIsNotOfferedToAnotherClient() async throws {
        let h = try await H.make()
        var offered = Set<IPv4Address>()
        for n in 1...4 as ClosedRange<UInt8> {
            let (offer, _) = try #require(try await h.send(H.message(.discover, mac: n)))
            #expect(offered.insert(offer.yiaddr).inserted)
        }
        // The pool holds four addresses: a fifth client gets no offer while the four are held.
        #expect(try await h.send(H.message(.discover, mac: 5)) == nil)
        // The same client asking again is offered the same address.
        let (again, _) = try #require(try await h.send(H.message(.discover, mac: 1)))
        #expect(offered.contains(again.yiaddr))
        // Once the offers lapse there is room again.
        h.clock.advance(by: .seconds(31))
        let (late, _) = try #require(try await h.send(H.message(.discover, mac: 5)))
        #expect(try late.messageType == .offer)
    }

    @Test func aRenewalExtendsTheLeaseAndIsAnsweredByUnicast() async throws {
        let h = try await H.make()
        let address = try #require(try await h.acquire(mac: 1))
        h.clock.advance(by: .seconds(300))
        // Renewal as real clients send it: ciaddr set, no option 50 or 54.
        let (ack, destination) = try #require(try await h.send(H.message(.request, mac: 1, ciaddr: address)))
        #expect(try ack.messageType == .ack)
        #expect(ack.yiaddr == address)
        #expect(destination == .unicast(address))
        #expect(try await h.store.read(.hardware(H.mac(1))).first?.expiresAt == h.clock.now() + 600)
    }

    @Test func aClientThatMovedToAnotherNetworkIsNAKed() async throws {
        let h = try await H.make()
        let relayedAddress = try #require(try await h.acquire(mac: 1, from: H.fromRelay, giaddr: H.relay))
        // INIT-REBOOT on the LAN for the address it had behind the relay.
        let (nak, destination) = try #require(try await h.send(H.message(.request, mac: 1, requested: relayedAddress)))
        #expect(try nak.messageType == .nak)
        #expect(nak.yiaddr == .any)
        #expect(destination == .broadcast)
        #expect(try nak.options.get(.leaseTime) == nil, "a NAK carries no lease options")
    }

    @Test func aRequestForAnAddressHeldByAnotherClientIsNAKed() async throws {
        let h = try await H.make()
        let address = try #require(try await h.acquire(mac: 1))
        let (nak, _) = try #require(try await h.send(H.message(.request, mac: 2, requested: address)))
        #expect(try nak.messageType == .nak)
        #expect(try await h.store.holder(of: .ipv4(address))?.client == .hardware(H.mac(1)))
    }

    @Test func choosingAnotherServerWithdrawsTheOffer() async throws {
        let h = try await H.make()
        let (offer, _) = try #require(try await h.send(H.message(.discover, mac: 1)))
        let other = try await h.send(H.message(.request, mac: 1, requested: offer.yiaddr, server: IPv4Address(192, 0, 2, 250)))
        #expect(other == nil)
        #expect(await h.allocator.offeredCount == 0, "the offer is withdrawn")
        #expect(try await h.store.read(.hardware(H.mac(1))).isEmpty)
    }

    @Test func declineQuarantinesTheAddress() async throws {
        let h = try await H.make()
        let address = try #require(try await h.acquire(mac: 1))
        #expect(try await h.send(H.message(.decline, mac: 1, requested: address, server: H.serverID)) == nil)
        #expect(try await h.store.read(.hardware(H.mac(1))).isEmpty, "the client no longer holds it")
        let quarantine = try #require(try await h.store.holder(of: .ipv4(address)))
        #expect(quarantine.client == IPv4Allocator.quarantineHolder(for: address))
        #expect(quarantine.lease.state == .declined)
        #expect(quarantine.lease.expiresAt == h.clock.now() + 86_400)
        // Nobody is offered the declined address, not even the client that declined it — and
        // that client can get (and keep) another one.
        for n in 1...3 as ClosedRange<UInt8> {
            let (offer, _) = try #require(try await h.send(H.message(.discover, mac: n)))
            #expect(offer.yiaddr != address)
        }
        let again = try #require(try await h.acquire(mac: 1))
        #expect(again != address)
        #expect(try await h.store.holder(of: .ipv4(address))?.lease.state == .declined, "still quarantined")
    }

    @Test func releaseReturnsTheAddressToThePool() async throws {
        let h = try await H.make()
        let address = try #require(try await h.acquire(mac: 1))
        // systemd-networkd sends RELEASE without option 54: it must still count.
        #expect(try await h.send(H.message(.release, mac: 1, ciaddr: address)) == nil)
        #expect(try await h.store.read(.hardware(H.mac(1))).isEmpty)
        #expect(try await h.store.holder(of: .ipv4(address)) == nil)
    }

    @Test func relayedRequestsAreAnsweredToTheRelayWithOption82Echoed() async throws {
        let h = try await H.make()
        var discover = H.message(.discover, mac: 7, giaddr: H.relay)
        discover.options[82] = [1, 4, 0xde, 0xad, 0xbe, 0xef, 2, 2, 0x12, 0x34]
        let (offer, destination) = try #require(try await h.send(discover, from: H.fromRelay))
        #expect(destination == .relay(H.relay))
        #expect(IPv4Subnet("198.18.0.0/24")!.contains(offer.yiaddr))
        #expect(offer.giaddr == H.relay)
        #expect(offer.options[82] == [1, 4, 0xde, 0xad, 0xbe, 0xef, 2, 2, 0x12, 0x34])
        #expect(try offer.serverIdentifier == IPv4Address(198, 18, 0, 254))
    }

    @Test func informGetsConfigurationButNoAddressOrLeaseTime() async throws {
        let h = try await H.make()
        let (ack, destination) = try #require(try await h.send(H.message(.inform, mac: 3, ciaddr: IPv4Address(192, 0, 2, 40))))
        #expect(try ack.messageType == .ack)
        #expect(ack.yiaddr == .any)
        #expect(destination == .unicast(IPv4Address(192, 0, 2, 40)))
        #expect(try ack.options.get(.leaseTime) == nil)
        #expect(try ack.options.get(.domainNameServers) == [IPv4Address(192, 0, 2, 53)])
    }

    @Test func optionSixtyOneIsTheIdentityWhenConfigured() async throws {
        for identity in [IdentityPolicy.clientID, .hardwareAddress] {
            let h = try await H.make(identity: identity)
            var discover = H.message(.discover, mac: 9)
            discover.options[61] = [1, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]
            let (offer, _) = try #require(try await h.send(discover))
            var request = H.message(.request, mac: 9, requested: offer.yiaddr, server: H.serverID)
            request.options[61] = [1, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]
            _ = try #require(try await h.send(request))
            let keyedBy: ClientID = identity == .clientID ? .clientIdentifier([1, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]) : .hardware(H.mac(9))
            #expect(try await h.store.read(keyedBy).count == 1)
        }
    }

    @Test func malformedAndTruncatedPacketsAreCountedAndDropped() async throws {
        let h = try await H.make()
        let good = H.message(.discover, mac: 1).serialize()
        for length in [0, 1, 100, 235, 236, 239] {
            #expect(await h.service.handle(Array(good.prefix(length)), origin: H.onLAN) == nil)
        }
        var badCookie = good
        badCookie[236] = 0
        #expect(await h.service.handle(badCookie, origin: H.onLAN) == nil)
        #expect(h.service.counters[.malformed] == 7)
        // And the service still serves.
        #expect(try await h.acquire(mac: 1) != nil)
    }

    @Test func aStoreThatFailsMeansNoReplyNotAnUnrecordedAddress() async throws {
        let sqlite = TemporarySQLite()
        let h = try await H.make(makeStore: sqlite.make)
        #expect(try await h.acquire(mac: 1) != nil)
        // The database goes away under the server (here: closed; in life a dead disk).
        await sqlite.store?.close()
        #expect(try await h.send(H.message(.discover, mac: 2)) == nil)
        #expect(try await h.send(H.message(.request, mac: 3, requested: IPv4Address(192, 0, 2, 101))) == nil)
        #expect(h.service.counters[.storeFailures] == 2)
        #expect(h.service.counters[.offer] == 1, "only the offer made while the store worked")
    }
}
