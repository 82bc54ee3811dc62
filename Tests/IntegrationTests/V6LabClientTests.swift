import DHCPWire
import Foundation
import Testing

/// The lab's DHCPv6 side (lab.sh link6, kea6 and the v6 clients), with kea-dhcp6 as the server
/// until Lessor's DHCPv6 service is wired into `lessor serve`: each DHCPv6 client Debian ships
/// gets its lease (the address on its interface, or the delegated prefix), renews it and
/// releases it, as the reference server's lease file shows; and it keeps its state (DUID,
/// leases) inside the lab, never in the host's directories.
@Suite("Lab IPv6: DHCPv6 clients against a reference server", .needsNetworkNamespaces, .timeLimit(.minutes(3)))
struct V6LabClientTests {
    static let kinds: [ClientKind] = [.dhclient6, .dhclient6pd, .dhcpcd6, .dhcp6c]

    @Test(arguments: kinds)
    func clientAcquiresRenewsAndReleases(_ kind: ClientKind) async throws {
        let mac = String(format: "00:00:5e:00:53:%02x", 0x40 + (Self.kinds.firstIndex(of: kind) ?? 0))
        let hostFiles = Self.hostState()
        try await Lab.run("v6-\(kind.rawValue)") { lab in
            try await lab.link("br0", address: "192.0.2.1/24", mac: "00:00:5e:00:53:f0")
            try await lab.link6("br0", address: "2001:db8:1::1/64")
            let host = try await lab.host("c1", on: "br0", mac: mac)
            try await lab.startKea6(on: "br0", address: "2001:db8:1::1")
            let client = DHCPClient(kind, on: host)

            // Acquire.
            try await client.start()
            try await client.waitBound()
            let lease: String
            if kind == .dhclient6pd {
                lease = try #require(client.leased6.prefix, "no delegated prefix reported: \(client.eventsText)")
                let prefix = IPv6Prefix(lease)
                lab.check(
                    prefix?.length == 56 && prefix.map { IPv6Prefix("2001:db8:100::/40")!.contains($0.address) } == true,
                    "prefix \(lease) is not a /56 of 2001:db8:100::/40")
            } else {
                let configured = try await host.addresses6()
                lease = try #require(configured.first, "no 2001:db8: address on \(host.name)'s eth0")
                lab.check(
                    IPv6Address(lease).map { IPv6Address("2001:db8:1::100")! <= $0 && $0 <= IPv6Address("2001:db8:1::1ff")! } == true,
                    "\(lease) is outside the pool 2001:db8:1::100-1ff")
                if let reported = client.leased6.address { lab.check(reported == lease, "reported \(reported), configured \(lease)") }
            }
            let address = String(lease.split(separator: "/")[0])
            let granted = lab.kea6Leases().filter { $0.address == address }
            let first = try #require(granted.first, "kea-dhcp6 has no lease for \(address)")
            lab.check(first.type == (kind == .dhclient6pd ? 2 : 0) && first.validLifetime == 20, "unexpected lease row \(first)")
            try Self.checkStateInLab(client, lab: lab)

            // Renew: the server writes the lease again with a later expiry.
            try client.resetEvents()
            try await client.renew()
            let renewed = try await eventually("a renewed lease for \(address) in kea's file", timeout: .seconds(10)) { () -> Kea6Lease? in
                lab.kea6Leases().last { $0.address == address && $0.expire > first.expire && $0.validLifetime > 0 }
            }
            lab.check(renewed.duid == first.duid, "renewed under another DUID: \(renewed) vs \(first)")

            // Release: the server drops the lease (a row with valid lifetime 0), the client exits
            // and takes the address off its interface.
            try await client.release()
            _ = try await eventually("kea to record the release of \(address)", timeout: .seconds(10)) { () -> Bool? in
                lab.kea6Leases().last { $0.address == address }?.validLifetime == 0 ? true : nil
            }
            if kind != .dhclient6pd {
                let left = try await host.addresses6()
                lab.check(!left.contains(address), "\(address) is still on eth0 after the release: \(left)")
            }
        }
        #expect(Self.hostState() == hostFiles, "the host's DHCP client state directories changed")
    }

    /// Where each client keeps its DUID: in the lab's directory (its lease file, or the guard's
    /// stand-in for a host directory).
    static func checkStateInLab(_ client: DHCPClient, lab: Lab) throws {
        let file: String
        switch client.kind {
        case .dhclient6, .dhclient6pd: file = "dhclient6.leases"
        case .dhcpcd6: file = "guard/var-lib-dhcpcd/duid"
        case .dhcp6c: file = "guard/var-lib-dhcpv6/dhcp6c_duid"
        default: return
        }
        let path = client.directory + "/" + file
        let contents = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
        lab.check(!contents.isEmpty, "\(client.kind.rawValue) left no DUID/lease state in \(path)")
        if client.kind == .dhclient6 || client.kind == .dhclient6pd {
            lab.check(String(decoding: contents, as: UTF8.self).contains("default-duid"), "no DUID in \(path)")
        }
    }

    /// Names and modification times in the host directories the clients would write by default.
    static func hostState() -> [String: Date] {
        var state: [String: Date] = [:]
        for directory in ["/var/lib/dhcp", "/var/lib/dhcpcd", "/var/lib/dhcpv6"] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                let path = directory + "/" + name
                state[path] = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date ?? .distantPast
            }
        }
        return state
    }
}
