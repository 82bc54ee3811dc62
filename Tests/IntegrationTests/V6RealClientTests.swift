import DHCPWire
import Foundation
import LeaseStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `lessor serve` with a `server6` section in a network namespace, and in another one the
/// DHCPv6 clients Debian ships: each gets an address (or a delegated prefix) from the pool,
/// renews it and releases it, and the store (read with `lessor leases --json`) shows each step.
@Suite("Real DHCPv6 clients: acquire, renew, release", .needsNetworkNamespaces, .timeLimit(.minutes(3)))
struct V6RealClientTests {
    /// One link, 2001:db8:1::/64; short times so renewals come within seconds.
    static let configuration = "log_level: debug\nstore:\n  provider: sqlite\n  path: leases.sqlite\n" + server6()

    /// The server6 section, with its IA_NA pool.
    static func server6(pool: String = "2001:db8:1::100-2001:db8:1::1ff") -> String {
        """
        server6:
          listen:
            - interface: br0
          subnets:
            - name: lan6
              prefix: 2001:db8:1::/64
              interface: br0
              pools: ["\(pool)"]
              prefix_pools:
                - prefix: 2001:db8:100::/40
                  delegated_length: 56
              preferred_lifetime: 15s
              valid_lifetime: 20s
              renewal_time: 5s
              rebinding_time: 10s
              dns_servers: ["2001:db8:1::53"]
          plugins: [server_id, lease_time, dns6, range6, prefix]

        """
    }

    @Test(arguments: V6Flow.kinds)
    func clientAcquiresRenewsAndReleases(_ kind: ClientKind) async throws {
        let hostFiles = V6Flow.hostState()
        try await Lab.run("v6-\(kind.rawValue)") { lab in
            let host = try await V6Flow.link(lab, mac: V6Flow.mac(kind, base: 0x50))
            try await lab.startServer(configuration: Self.configuration, listeners: 1)
            let client = DHCPClient(kind, on: host)

            let lease = try await V6Flow.acquire(client, lab: lab)
            let leaseKind: LeaseKind = kind == .dhclient6pd ? .iaPD : .iaNA
            let bound = try await lab.waitForStore("\(lease) active") { leases in
                leases.holder(of: lease)?.lease.state == .active
            }
            let first = try #require(bound.holder(of: lease))
            lab.check(first.lease.kind == leaseKind, "\(lease) is held as \(first.lease.kind), not \(leaseKind)")
            lab.check(first.client.description.hasPrefix("duid:"), "\(lease) is held by \(first.client), not a DUID")
            lab.check(bound.filter { $0.address == lease }.count == 1, "\(lease) is held more than once:\n\(bound.summary)")
            lab.check(first.lease.owner == (kind == .dhclient6pd ? "prefix" : "range6"), "unexpected owner: \(first)")
            V6Flow.checkStateInLab(client, lab: lab)

            // Renew: same client, version up, expiry moved out.
            try client.resetEvents()
            try await client.renew()
            let renewed = try await lab.waitForStore("\(lease) renewed") { leases in
                guard let now = leases.holder(of: lease) else { return false }
                return now.lease.state == .active && now.lease.version > first.lease.version && now.lease.expiresAt > first.lease.expiresAt
            }
            lab.check(renewed.holder(of: lease)?.client == first.client, "renewed for another client:\n\(renewed.summary)")

            // Release: the store no longer holds it active.
            try await V6Flow.release(client, lease: String(lease.split(separator: "/")[0]), lab: lab)
            try await lab.waitForStore("\(lease) released") { leases in
                leases.holder(of: lease).map { $0.lease.state != .active } ?? true
            }
            lab.check(lab.serverIsRunning, "lessor serve exited")
        }
        #expect(V6Flow.hostState() == hostFiles, "the host's DHCP client state directories changed")
    }

    /// DHCPv4 and DHCPv6 in one `lessor serve`: both listen; SIGHUP with a bad file keeps the old
    /// configuration, with a good one moves the IA_NA pool (a new client gets an address from
    /// the new pool, the first keeps its lease); SIGTERM stops it cleanly (exit 0).
    @Test func dualStackReloadAndStop() async throws {
        try await Lab.run("v6-reload") { lab in
            let first = try await V6Flow.link(lab, mac: "00:00:5e:00:53:61")
            let second = try await lab.host("c2", on: "br0", mac: "00:00:5e:00:53:62")
            let dual = { (pool: String) in lanConfiguration() + Self.server6(pool: pool) }
            try await lab.startServer(configuration: dual("2001:db8:1::100-2001:db8:1::1ff"), listeners: 2)
            lab.check(lab.serverLog.contains("listening for DHCPv4") && lab.serverLog.contains("listening for DHCPv6"), "not both services listen")

            let client = DHCPClient(.dhclient6, on: first)
            let lease = try await V6Flow.acquire(client, lab: lab)
            try await lab.waitForStore("\(lease) active") { $0.holder(of: lease)?.lease.state == .active }

            // A pool outside the subnet's prefix: refused, the old configuration keeps serving.
            try lab.write("lessor.yaml", dual("2001:db8:9::100-2001:db8:9::1ff") + "\ncontrol: {socket: \(lab.controlSocketPath)}\n")
            lab.signalServer(SIGHUP)
            _ = try await eventually("the bad configuration to be refused", timeout: .seconds(15)) { () -> Bool? in
                lab.serverLog.contains("configuration not reloaded") ? true : nil
            }
            // A good one: the IA_NA pool moves to ::200-::2ff.
            try lab.write("lessor.yaml", dual("2001:db8:1::200-2001:db8:1::2ff") + "\ncontrol: {socket: \(lab.controlSocketPath)}\n")
            lab.signalServer(SIGHUP)
            _ = try await eventually("the configuration to be reloaded", timeout: .seconds(15)) { () -> Bool? in
                lab.serverLog.contains("configuration reloaded") ? true : nil
            }
            let moved = try await V6Flow.acquire(
                DHCPClient(.dhclient6, on: second), lab: lab,
                pool: (IPv6Address("2001:db8:1::200")!, IPv6Address("2001:db8:1::2ff")!))
            let leases = try await lab.waitForStore("\(moved) and \(lease) active") { leases in
                leases.holder(of: moved)?.lease.state == .active && leases.holder(of: lease)?.lease.state == .active
            }
            lab.check(leases.holder(of: moved)?.client != leases.holder(of: lease)?.client, "one client holds both:\n\(leases.summary)")

            let status = await lab.stopServer()
            lab.check(status == 0, "lessor serve exited with \(status.map(String.init) ?? "nothing") on SIGTERM")
            lab.check(lab.serverLog.contains("stopped"), "no clean stop in the log")
        }
    }
}
