import Foundation
import LeaseStore
import Testing

/// `lessor serve` with a `server6` section in a network namespace, and in another one the
/// DHCPv6 clients Debian ships: each gets an address (or a delegated prefix) from the pool,
/// renews it and releases it, and the store (read with `lessor leases --json`) shows each step.
@Suite("Real DHCPv6 clients: acquire, renew, release", .needsNetworkNamespaces, .timeLimit(.minutes(3)))
struct V6RealClientTests {
    /// One link, 2001:db8:1::/64; short times so renewals come within seconds.
    static let configuration = """
        log_level: debug
        store:
          provider: sqlite
          path: leases.sqlite
        server6:
          listen:
            - interface: br0
          subnets:
            - name: lan6
              prefix: 2001:db8:1::/64
              interface: br0
              pools: ["2001:db8:1::100-2001:db8:1::1ff"]
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
}
