import Foundation
import LeaseStore
import Testing

/// A client that moves to another link: dhclient holds an address on link A, is stopped
/// without a release, its cable moves to link B, and it starts again. It asks for its old
/// address (INIT-REBOOT); the server, seeing the request on link B, NAKs it; the client starts
/// over and gets an address on B. The store ends with the B address only.
@Suite("A client that moved is NAKed", .needsNetworkNamespaces, .timeLimit(.minutes(3)))
struct MovedClientTests {
    static let configuration = """
        log_level: debug
        store:
          provider: sqlite
          path: leases.sqlite
        server4:
          identity: client-id
          subnets:
            - name: a
              subnet: 192.0.2.0/24
              interface: brA
              pools: [192.0.2.100-192.0.2.149]
              lease_time: 1h
              server_id: 192.0.2.1
            - name: b
              subnet: 198.18.0.0/24
              interface: brB
              pools: [198.18.0.100-198.18.0.149]
              lease_time: 1h
              server_id: 198.18.0.1
          plugins: [server_id, netmask, lease_time, range]

        """

    @Test func dhclientMovedToAnotherSubnetIsNAKedThenGetsAnAddressThere() async throws {
        try await Lab.run("moved") { lab in
            try await lab.link("brA", address: "192.0.2.1/24", mac: "00:00:5e:00:53:f0")
            try await lab.link("brB", address: "198.18.0.1/24", mac: "00:00:5e:00:53:f1")
            let mac = "00:00:5e:00:53:41"
            let host = try await lab.host("c1", on: "brA", mac: mac)
            try await lab.startServer(configuration: Self.configuration, listeners: 2)
            let key = hardwareKey(mac)

            let client = DHCPClient(.dhclient, on: host)
            try await client.start()
            try await client.waitBound()
            let first = try #require(client.leasedAddress)
            lab.check(isAddress(first, in: "192.0.2.0/24"), "on link A the client got \(first)")
            try await lab.waitForStore("\(key) holding \(first) in pool a") { leases in
                leases.lease(of: key)?.address == first && leases.lease(of: key)?.lease.pool == "a"
            }

            // Moved without a release; dhclient starts again from its lease file: INIT-REBOOT.
            try await client.stop()
            try await lab.replug(host, to: "brB")
            try client.resetEvents()
            try await client.start()
            try await client.waitBound()
            let second = try #require(client.leasedAddress)
            lab.check(isAddress(second, in: "198.18.0.0/24"), "on link B the client got \(second)")
            lab.check(client.log.contains("DHCPNAK from 198.18.0.1"), "dhclient saw no NAK from the server on link B:\n\(client.log)")
            lab.check(
                lab.serverLog.contains("\(first) is not on this client's network") && lab.serverLog.contains("reply NAK"),
                "the server logged no NAK for \(first)")
            // The old address went through the client's EXPIRE (the NAK) before the new BOUND.
            let reasons = client.events.compactMap { $0["reason"] }
            lab.check(reasons.contains("EXPIRE") || reasons.contains("FAIL"), "dhclient did not drop its old lease: \(reasons)")

            let configured = try await host.addresses()
            lab.check(configured.contains(second) && !configured.contains(first), "eth0 has \(configured)")
            let leases = try await lab.waitForStore("\(key) holding \(second) in pool b, active") { leases in
                let lease = leases.lease(of: key)
                return lease?.address == second && lease?.lease.pool == "b" && lease?.lease.state == .active
            }
            lab.check(leases.holder(of: first) == nil, "the old address \(first) is still held:\n\(leases.summary)")
            try await client.release()
            lab.check(lab.serverIsRunning, "lessor serve exited")
        }
    }
}
