import Foundation
import LeaseStore
import Testing

/// DHCPDECLINE from real clients: another host on the link already uses the address the server
/// hands out (a squatter with a static address); the client finds it by ARP and declines. The
/// address must be quarantined: the store shows it declined, and no following client gets it.
@Suite("DECLINE quarantines an address", .needsNetworkNamespaces, .timeLimit(.minutes(3)))
struct DeclineTests {
    /// Pool .100–.102 on a fresh server: the first address handed out is .100, the squatted one.
    static let configuration = lanConfiguration(pool: "192.0.2.100-192.0.2.102", server4: ["decline_quarantine: 1h"])

    static let squatted = "192.0.2.100"

    /// udhcpc -a ARP-checks the ACKed address, declines it, and waits (-A 60) before it starts
    /// over: the quarantine is observed while the decliner stays away.
    @Test func udhcpcDeclinesASquattedAddressAndItIsQuarantined() async throws {
        try await Lab.run("declineu") { lab in
            try await lab.link("br0", address: "192.0.2.1/24", mac: "00:00:5e:00:53:f0")
            let squatter = try await lab.host("sq", on: "br0", mac: "00:00:5e:00:53:30")
            try await squatter.addAddress(Self.squatted + "/24")
            let decliningMAC = "00:00:5e:00:53:31"
            let decliningHost = try await lab.host("dcl", on: "br0", mac: decliningMAC)
            let laterHost = try await lab.host("late", on: "br0", mac: "00:00:5e:00:53:32")
            try await lab.startServer(configuration: Self.configuration, listeners: 1)

            let decliner = DHCPClient(.udhcpc, on: decliningHost)
            try await decliner.start(["-a", "-A", "60"])
            let key = macClientIDKey(decliningMAC)
            let declined = try await lab.waitForStore("\(Self.squatted) declined by \(key)", timeout: .seconds(30)) { leases in
                leases.holder(of: Self.squatted)?.lease.state == .declined
            }
            let record = try #require(declined.holder(of: Self.squatted))
            // Quarantined under its own holder ("declined <address>" as a type-0 client id), so the
            // decliner is free to get another address.
            let holder = "id:00" + Array("declined \(Self.squatted)".utf8).map { String(format: "%02x", $0) }.joined()
            lab.check(record.client.description == holder, "declined under \(record.client), not the quarantine holder \(holder)")
            lab.check(try await lab.leases().allSatisfy { $0.client.description != key || $0.lease.state != .declined },
                      "the decliner \(key) still holds a declined lease")
            lab.check(record.lease.expiresAt > Date().addingTimeInterval(50 * 60), "quarantine ends at \(record.lease.expiresAt), not ~1 h from now")
            lab.check(decliner.log.contains("declining"), "udhcpc did not say it declined:\n\(decliner.log)")
            lab.check(lab.serverLog.contains("DECLINE"), "the server logged no DECLINE")

            // The squatter leaves; a client asking for exactly that address still does not get it.
            try await squatter.removeAddress(Self.squatted + "/24")
            let later = DHCPClient(.udhcpc, on: laterHost)
            try await later.start(["-r", Self.squatted])
            try await later.waitBound()
            let laterAddress = try #require(later.leasedAddress)
            lab.check(laterAddress != Self.squatted, "a client got the quarantined \(Self.squatted)")
            let after = try await lab.leases()
            lab.check(after.holder(of: Self.squatted)?.lease.state == .declined, "\(Self.squatted) is no longer quarantined:\n\(after.summary)")
            try await later.release()
            try await decliner.stop()
            lab.check(lab.serverIsRunning, "lessor serve exited")
        }
    }

    /// dhcpcd ARP-probes the ACKed address (about 5 s), declines it when another host answers,
    /// and starts over at once: it must end on another address while the squatted one stays
    /// quarantined.
    @Test func dhcpcdDeclinesASquattedAddressAndMovesOn() async throws {
        try await Lab.run("declined") { lab in
            try await lab.link("br0", address: "192.0.2.1/24", mac: "00:00:5e:00:53:f0")
            let squatter = try await lab.host("sq", on: "br0", mac: "00:00:5e:00:53:30")
            try await squatter.addAddress(Self.squatted + "/24")
            let decliningHost = try await lab.host("dcl", on: "br0", mac: "00:00:5e:00:53:33")
            let laterHost = try await lab.host("late", on: "br0", mac: "00:00:5e:00:53:34")
            try await lab.startServer(configuration: Self.configuration, listeners: 1)

            let decliner = DHCPClient(.dhcpcd, on: decliningHost)
            try await decliner.start()
            try await decliner.waitBound(seconds: 45)
            let address = try #require(decliner.leasedAddress)
            lab.check(address != Self.squatted, "dhcpcd kept the squatted \(Self.squatted)")
            lab.check(decliner.log.contains("sending DECLINE"), "dhcpcd sent no DECLINE:\n\(decliner.log)")
            lab.check(lab.serverLog.contains("\(Self.squatted) declined"), "the server did not record the DECLINE")
            try await lab.waitForStore("dhcpcd's new lease on \(address)") { leases in
                leases.holder(of: address)?.lease.state == .active
            }

            try await squatter.removeAddress(Self.squatted + "/24")
            do {
                let quarantined = try await lab.leases()
                #expect(quarantined.holder(of: Self.squatted)?.lease.state == .declined,
                        "\(Self.squatted) is not quarantined after the decliner moved on:\n\(quarantined.summary)")
                let later = DHCPClient(.udhcpc, on: laterHost)
                try await later.start(["-r", Self.squatted])
                try await later.waitBound()
                let laterAddress = try #require(later.leasedAddress)
                try await later.release()
                #expect(laterAddress != Self.squatted, "a following client got the declined \(Self.squatted)")
            }
            try await decliner.release()
            lab.check(lab.serverIsRunning, "lessor serve exited")
        }
    }
}
