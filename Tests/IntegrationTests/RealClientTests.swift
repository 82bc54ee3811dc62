import Foundation
import LeaseStore
import Testing

/// `lessor serve` in a network namespace, and in another one the DHCP clients Debian ships:
/// each gets an address from the pool, renews it and releases it, and the store (read with
/// `lessor leases --json`, as an operator would) shows each step.
@Suite("Real clients: acquire, renew, release", .needsNetworkNamespaces, .timeLimit(.minutes(3)))
struct RealClientTests {
    /// One link, 192.0.2.0/24, pool .100–.149; short times so renewals come within seconds.
    static func configuration() -> String {
        lanConfiguration(
            subnet: [
                "lease_time: 20s", "renewal_time: 5s", "rebinding_time: 10s", "routers: [192.0.2.1]",
                "dns_servers: [192.0.2.53]", "domain_name: example.com",
            ],
            plugins: "[server_id, netmask, router, dns, lease_time, range]")
    }

    static let leaseTime: TimeInterval = 20

    @Test func dhclientAcquiresRenewsAndReleases() async throws {
        try await Lab.run("dhclient") { lab in
            let mac = "00:00:5e:00:53:11"
            try await Self.acquireRenewRelease(lab, .dhclient, mac: mac) { _ in hardwareKey(mac) }
        }
    }

    @Test func dhcpcdAcquiresRenewsAndReleases() async throws {
        try await Lab.run("dhcpcd") { lab in
            // dhcpcd sends option 61 type 255 (RFC 4361): IAID (the MAC's last four bytes here)
            // and its DUID-LLT, which it makes on first start and keeps in its state directory.
            let mac = "00:00:5e:00:53:12"
            try await Self.acquireRenewRelease(lab, .dhcpcd, mac: mac) { client in
                let duidFile = client.directory + "/guard/var-lib-dhcpcd/duid"
                let duid = try String(contentsOfFile: duidFile, encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
                try lab.require(duid.count >= 8, "no DUID in \(duidFile)")
                let iaid = mac.split(separator: ":").suffix(4).joined()
                return "id:ff" + iaid + duid.lowercased()
            }
        }
    }

    @Test func udhcpcAcquiresRenewsAndReleases() async throws {
        try await Lab.run("udhcpc") { lab in
            // udhcpc sends option 61 type 1 + MAC. Its renewal is unicast; when it loses the
            // (fast) ACK it rebinds by broadcast ~2 s later: either way the lease is renewed.
            let mac = "00:00:5e:00:53:13"
            try await Self.acquireRenewRelease(lab, .udhcpc, mac: mac) { _ in macClientIDKey(mac) }
        }
    }

    /// The whole life of one lease: bound (address on the interface, active in the store under
    /// the client's key), renewed (store version up, expiry moved out by a lease time from the
    /// renewal), released (the store no longer holds it, the interface no longer has it).
    static func acquireRenewRelease(
        _ lab: Lab, _ kind: ClientKind, mac: String, expectedKey: (DHCPClient) throws -> String
    ) async throws {
        try await lab.link("br0", address: "192.0.2.1/24", mac: "00:00:5e:00:53:f0")
        let host = try await lab.host("c1", on: "br0", mac: mac)
        try await lab.startServer(configuration: configuration(), listeners: 1)
        let client = DHCPClient(kind, on: host)

        // Acquire.
        try await client.start()
        try await client.waitBound()
        let address = try #require(client.leasedAddress, "\(kind) reported no address: \(client.eventsText)")
        lab.check(Lab.addressIsInPool(address), "\(kind) got \(address), outside the pool 192.0.2.100-149")
        let configured = try await host.addresses()
        lab.check(configured.contains(address), "\(address) is not on \(host.name)'s eth0 (it has \(configured))")
        let key = try expectedKey(client)
        let bound = try await lab.waitForStore("\(key) holding \(address), active") { leases in
            leases.lease(of: key)?.address == address && leases.lease(of: key)?.lease.state == .active
        }
        let first = try #require(bound.lease(of: key))
        lab.check(bound.filter { $0.address == address }.count == 1, "\(address) is held more than once:\n\(bound.summary)")
        lab.check(first.lease.pool == "lan" && first.lease.owner == "range", "unexpected owner/pool: \(first)")
        lab.check(first.lease.expiresAt > Date(), "a fresh lease already expired: \(first.lease.expiresAt)")

        // Renew. (dhclient has no "renew now": it renews at T1, 5 s after the ACK.)
        let before = try await lab.leases().lease(of: key) ?? first
        try client.resetEvents()
        let renewStarted = Date()
        try await client.renew()
        lab.check(client.leasedAddress == address, "the renewal changed the address: \(client.eventsText)")
        let renewed = try await lab.waitForStore("\(key)'s lease renewed (version above \(before.lease.version))") { leases in
            guard let lease = leases.lease(of: key)?.lease else { return false }
            return lease.version > before.lease.version && lease.state == .active
        }
        let after = try #require(renewed.lease(of: key))
        lab.check(after.address == address, "renewed onto another address: \(after)")
        lab.check(after.lease.expiresAt >= before.lease.expiresAt, "expiry went backwards: \(before.lease.expiresAt) → \(after.lease.expiresAt)")
        if kind == .dhclient {
            // Renewed at T1, seconds after the first ACK: the expiry must have moved.
            lab.check(after.lease.expiresAt > before.lease.expiresAt, "expiry did not move: \(after.lease.expiresAt)")
        } else {
            // The renewal we triggered runs a full lease time from then (JSON dates are whole seconds).
            let floor = renewStarted.addingTimeInterval(leaseTime - 1)
            lab.check(after.lease.expiresAt >= floor, "renewed lease ends \(after.lease.expiresAt), before \(floor)")
        }

        // Release.
        try await client.release()
        let released = try await lab.waitForStore("\(address) no longer held") { leases in
            leases.holder(of: address) == nil && leases.lease(of: key) == nil
        }
        lab.check(released.isEmpty, "leases left after the only client released:\n\(released.summary)")
        let remaining = try await eventually("\(address) to leave \(host.name)'s eth0", timeout: .seconds(10)) { () -> [String]? in
            let now = try await host.addresses()
            return now.contains(address) ? nil : now
        }
        lab.check(!remaining.contains(address), "\(address) still configured")
        lab.check(lab.serverIsRunning, "lessor serve exited")
    }
}

extension Lab {
    static func addressIsInPool(_ address: String) -> Bool {
        isAddress(address, between: "192.0.2.100", and: "192.0.2.149")
    }
}
