import DHCPWire
import Foundation
import Testing

/// The steps every DHCPv6 real-client test takes, whatever server answers: one link (br0,
/// 2001:db8:1::/64), one host, a client that acquires, renews and releases. The server-side
/// checks are the caller's.
enum V6Flow {
    static let kinds: [ClientKind] = [.dhclient6, .dhclient6pd, .dhcpcd6, .dhcp6c]
    /// The IA_NA pool and the IA_PD pool (/56s) both servers are given.
    static let pool = (first: IPv6Address("2001:db8:1::100")!, last: IPv6Address("2001:db8:1::1ff")!)
    static let prefixPool = IPv6Prefix("2001:db8:100::/40")!

    /// A MAC per client kind, so each shows up under its own DUID.
    static func mac(_ kind: ClientKind, base: Int) -> String {
        String(format: "00:00:5e:00:53:%02x", base + (kinds.firstIndex(of: kind) ?? 0))
    }

    /// br0 with 2001:db8:1::1/64 in the server namespace and host c1 on it.
    static func link(_ lab: Lab, mac: String) async throws -> LabHost {
        try await lab.link("br0", address: "192.0.2.1/24", mac: "00:00:5e:00:53:f0")
        try await lab.link6("br0", address: "2001:db8:1::1/64")
        return try await lab.host("c1", on: "br0", mac: mac)
    }

    /// Starts the client and waits for its lease: the address on eth0 (IA_NA, checked to be in
    /// the pool) or the delegated prefix "P/56" it reported (IA_PD, checked to be in the prefix pool).
    static func acquire(
        _ client: DHCPClient, lab: Lab, pool: (first: IPv6Address, last: IPv6Address) = V6Flow.pool
    ) async throws -> String {
        try await client.start()
        try await client.waitBound()
        if client.kind == .dhclient6pd {
            let lease = try #require(client.leased6.prefix, "no delegated prefix reported: \(client.eventsText)")
            let prefix = IPv6Prefix(lease)
            lab.check(prefix?.length == 56 && prefix.map { prefixPool.contains($0.address) } == true, "prefix \(lease) is not a /56 of \(prefixPool)")
            return lease
        }
        let configured = try await client.host.addresses6()
        let lease = try #require(configured.first, "no 2001:db8: address on \(client.host.name)'s eth0")
        lab.check(IPv6Address(lease).map { pool.first <= $0 && $0 <= pool.last } == true, "\(lease) is outside the pool \(pool)")
        if let reported = client.leased6.address { lab.check(reported == lease, "reported \(reported), configured \(lease)") }
        return lease
    }

    /// Releases with the client's own command; an address leaves the interface.
    static func release(_ client: DHCPClient, lease: String, lab: Lab) async throws {
        try await client.release()
        if client.kind != .dhclient6pd {
            let left = try await client.host.addresses6()
            lab.check(!left.contains(lease), "\(lease) is still on eth0 after the release: \(left)")
        }
    }

    /// Where each client keeps its DUID: in the lab's directory (its lease file, or the guard's
    /// stand-in for a host directory).
    static func checkStateInLab(_ client: DHCPClient, lab: Lab) {
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
