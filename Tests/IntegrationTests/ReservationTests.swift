import Foundation
import LeaseStore
import Testing

/// The `static` plugin: a reservation outside the pool, by MAC. The reserved client gets its
/// address; other clients never do — not when they ask for it before the reserved client is
/// there, nor while it holds it, nor after it released it.
@Suite("Reservations with real clients", .needsNetworkNamespaces, .timeLimit(.minutes(3)))
struct ReservationTests {
    static let reservedMAC = "00:00:5e:00:53:21"
    static let reservedAddress = "192.0.2.50"

    static let configuration = lanConfiguration(plugins: "[server_id, netmask, lease_time, {static: static.yaml}, range]")

    @Test func aReservedAddressGoesToItsClientAndNeverToAnother() async throws {
        try await Lab.run("reserve") { lab in
            try lab.write("static.yaml", "- {mac: \"\(Self.reservedMAC)\", address: \(Self.reservedAddress), hostname: reserved-host}\n")
            try await lab.link("br0", address: "192.0.2.1/24", mac: "00:00:5e:00:53:f0")
            let reservedHost = try await lab.host("res", on: "br0", mac: Self.reservedMAC)
            let otherHost = try await lab.host("other", on: "br0", mac: "00:00:5e:00:53:22")
            try await lab.startServer(configuration: Self.configuration, listeners: 1)

            // Another client asks for the reserved address (option 50 in its DISCOVER) before the
            // reserved client is there: it gets a pool address.
            let early = DHCPClient(.udhcpc, on: otherHost, name: "other-before")
            try await early.start(["-r", Self.reservedAddress])
            try await early.waitBound()
            let earlyAddress = try #require(early.leasedAddress)
            lab.check(earlyAddress != Self.reservedAddress, "another client got the reserved \(Self.reservedAddress)")
            lab.check(Lab.addressIsInPool(earlyAddress), "the other client got \(earlyAddress), outside the pool")
            try await early.release()

            // The reserved client gets its reservation, stored under the static plugin.
            let reserved = DHCPClient(.dhclient, on: reservedHost)
            try await reserved.start()
            try await reserved.waitBound()
            lab.check(reserved.leasedAddress == Self.reservedAddress, "the reserved client got \(reserved.leasedAddress ?? "nothing")")
            let configured = try await reservedHost.addresses()
            lab.check(configured.contains(Self.reservedAddress), "\(Self.reservedAddress) not on the reserved host: \(configured)")
            let key = hardwareKey(Self.reservedMAC)
            let held = try await lab.waitForStore("\(key) holding \(Self.reservedAddress), active") { leases in
                let lease = leases.lease(of: key)
                return lease?.address == Self.reservedAddress && lease?.lease.state == .active
            }
            let record = try #require(held.lease(of: key))
            lab.check(record.lease.owner == "static", "the reservation's lease is owned by \(record.lease.owner), not static")
            lab.check(record.lease.hostname == "reserved-host", "hostname from the reservation: \(record.lease.hostname ?? "none")")

            // While it holds the address, another client asking for it gets a pool address.
            let during = DHCPClient(.udhcpc, on: otherHost, name: "other-during")
            try await during.start(["-r", Self.reservedAddress])
            try await during.waitBound()
            let duringAddress = try #require(during.leasedAddress)
            lab.check(duringAddress != Self.reservedAddress && Lab.addressIsInPool(duringAddress), "the other client got \(duringAddress)")
            try await during.release()

            // Released, the reserved address still never comes from the pool.
            try await reserved.release()
            try await lab.waitForStore("\(Self.reservedAddress) released") { $0.holder(of: Self.reservedAddress) == nil }
            let after = DHCPClient(.udhcpc, on: otherHost, name: "other-after")
            try await after.start(["-r", Self.reservedAddress])
            try await after.waitBound()
            let afterAddress = try #require(after.leasedAddress)
            lab.check(afterAddress != Self.reservedAddress && Lab.addressIsInPool(afterAddress), "the other client got \(afterAddress)")
            let final = try await lab.waitForStore("the other client's lease") { leases in
                leases.contains { $0.address == afterAddress && $0.lease.state == .active }
            }
            lab.check(final.holder(of: Self.reservedAddress) == nil, "somebody holds the reserved address:\n\(final.summary)")
            try await after.release()
            lab.check(lab.serverIsRunning, "lessor serve exited")
        }
    }
}
