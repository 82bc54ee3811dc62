import Foundation
import Testing

/// The lab's DHCPv6 side (lab.sh link6, kea6 and the v6 clients) with kea-dhcp6 as the server:
/// each DHCPv6 client Debian ships gets its lease (the address on its interface, or the
/// delegated prefix), renews it and releases it, as the reference server's lease file shows;
/// and it keeps its state (DUID, leases) inside the lab, never in the host's directories.
/// V6RealClientTests runs the same clients against `lessor serve`.
@Suite("Lab IPv6: DHCPv6 clients against a reference server", .needsNetworkNamespaces, .timeLimit(.minutes(3)))
struct V6LabClientTests {
    @Test(arguments: V6Flow.kinds)
    func clientAcquiresRenewsAndReleases(_ kind: ClientKind) async throws {
        let hostFiles = V6Flow.hostState()
        try await Lab.run("v6kea-\(kind.rawValue)") { lab in
            let host = try await V6Flow.link(lab, mac: V6Flow.mac(kind, base: 0x40))
            try await lab.startKea6(on: "br0", address: "2001:db8:1::1")
            let client = DHCPClient(kind, on: host)

            let lease = try await V6Flow.acquire(client, lab: lab)
            let address = String(lease.split(separator: "/")[0])
            let first = try #require(lab.kea6Leases().first { $0.address == address }, "kea-dhcp6 has no lease for \(address)")
            lab.check(first.type == (kind == .dhclient6pd ? 2 : 0) && first.validLifetime == 20, "unexpected lease row \(first)")
            V6Flow.checkStateInLab(client, lab: lab)

            // Renew: the server writes the lease again with a later expiry.
            try client.resetEvents()
            try await client.renew()
            let renewed = try await eventually("a renewed lease for \(address) in kea's file", timeout: .seconds(10)) { () -> Kea6Lease? in
                lab.kea6Leases().last { $0.address == address && $0.expire > first.expire && $0.validLifetime > 0 }
            }
            lab.check(renewed.duid == first.duid, "renewed under another DUID: \(renewed) vs \(first)")

            // Release: the server drops the lease (a row with valid lifetime 0).
            try await V6Flow.release(client, lease: address, lab: lab)
            _ = try await eventually("kea to record the release of \(address)", timeout: .seconds(10)) { () -> Bool? in
                lab.kea6Leases().last { $0.address == address }?.validLifetime == 0 ? true : nil
            }
        }
        #expect(V6Flow.hostState() == hostFiles, "the host's DHCP client state directories changed")
    }
}
