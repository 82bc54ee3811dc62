import DHCPWire
import Foundation
import LeaseStore
import Testing

/// perfdhcp -6 as a relay agent (-A 1: each message in one Relay-Forward, sent by unicast to
/// the server's address on a routed link): every SOLICIT-ADVERTISE and REQUEST-REPLY exchange
/// completes, the Relay-Reply finding its way back to the relay, and the store holds one active
/// lease per REPLY, each address once, all from the relayed subnet's pool.
@Suite("Relayed DHCPv6 load with perfdhcp", .needsNetworkNamespaces, .timeLimit(.minutes(3)))
struct V6RelayLoadTests {
    static let configuration = relayedV6Configuration(
        subnets: [("relayed6", "2001:db8:2::/64", "2001:db8:2::1000-2001:db8:2::1fff")])

    static let exchanges = 200
    static let rate = 50

    @Test func perfdhcpRelayedExchangesAllCompleteAndEachReplyIsOneStoredLease() async throws {
        try await Lab.run("perfdhcp6") { lab in
            let relay = try await lab.veth("r1", address: "2001:db8:2::2/64", serverAddress: "2001:db8:2::1/64")
            try await lab.startServer(configuration: Self.configuration, listeners: 1)
            let run = try await lab.perfdhcp(
                on: relay,
                ["-6", "-A", "1", "-l", "eth0", "-r", "\(Self.rate)", "-n", "\(Self.exchanges)", "-R", "1000", "-d", "10",
                 "-W", "10000000", "2001:db8:2::1"])
            // Two exchanges, in order: SOLICIT-ADVERTISE, then REQUEST-REPLY.
            func counts(_ label: String) -> [Int] {
                run.output.split(separator: "\n").compactMap { line in
                    let text = line.trimmingCharacters(in: .whitespaces)
                    return text.hasPrefix(label + ": ") ? Int(text.dropFirst(label.count + 2)) : nil
                }
            }
            let sent = counts("sent packets"), received = counts("received packets"), drops = counts("drops")
            try lab.require(sent.count == 2 && received.count == 2 && drops.count == 2, "cannot read perfdhcp's report:\n\(run.output.prefix(3000))")
            print("[perfdhcp -6] sent \(sent), received \(received), drops \(drops)")
            let allowedDrops = Self.exchanges / 100
            lab.check(sent[0] >= Self.exchanges, "SOLICITs sent: \(sent[0])")
            lab.check(drops[0] <= allowedDrops && drops[1] <= allowedDrops, "exchanges dropped: \(drops)")

            let leases = try await lab.leases().filter { $0.lease.pool == "relayed6" && $0.lease.state == .active }
            let addresses = leases.compactMap(\.address)
            lab.check(Set(addresses).count == addresses.count, "the store holds an address twice")
            lab.check(Set(leases.map(\.client)).count == leases.count, "a client holds two leases")
            let first = IPv6Address("2001:db8:2::1000")!, last = IPv6Address("2001:db8:2::1fff")!
            lab.check(addresses.allSatisfy { IPv6Address($0).map { first <= $0 && $0 <= last } == true }, "a lease outside the pool")
            // A lost REPLY can leave a committed lease perfdhcp never saw, never the other way round.
            lab.check(leases.count >= received[1] && leases.count <= sent[1], "\(leases.count) active leases for \(received[1]) REPLYs")
            lab.check(lab.serverIsRunning, "lessor serve exited")
        }
    }
}
