import DHCPWire
import Foundation
import LeaseStore
import Testing

/// perfdhcp (Debian's kea-admin) as a relay agent: given the server's unicast address it sets
/// giaddr to its own, sends from port 67, and the server answers there. Every exchange must
/// complete, and afterwards the store must hold exactly one active lease per ACK, no address twice.
@Suite("Relayed load with perfdhcp", .needsNetworkNamespaces, .timeLimit(.minutes(3)))
struct RelayLoadTests {
    static let configuration = """
        log_level: info
        store:
          provider: sqlite
          path: leases.sqlite
          synchronous: full
        server4:
          listen:
            - address: 198.18.4.1
          identity: client-id
          subnets:
            - name: relayed
              subnet: 198.18.4.0/22
              pools: [198.18.5.0-198.18.6.255]
              lease_time: 1h
              server_id: 198.18.4.1
              routers: [198.18.4.2]
              dns_servers: [198.18.4.53]
          plugins: [server_id, netmask, router, dns, lease_time, range]

        """

    /// 400 exchanges at 100 a second, each from its own client: perfdhcp numbers its simulated
    /// clients' MACs sequentially within -R (1,000 here, more than it ever sends: it sometimes
    /// starts one exchange past -n), so no client comes twice. An answer counts as lost after
    /// 10 s (-d), and perfdhcp waits 10 s for late ones at the end (-W): a debug build on a busy
    /// machine, with every lease fsynced (synchronous: full), can stall for seconds.
    static let exchanges = 400
    static let rate = 100
    static let clients = 1000

    @Test func perfdhcpRelayedExchangesAllCompleteAndEachACKIsOneStoredLease() async throws {
        try await Lab.run("perfdhcp") { lab in
            let relay = try await lab.veth("r1", address: "198.18.4.2/24", serverAddress: "198.18.4.1/24")
            try await lab.startServer(configuration: Self.configuration, listeners: 1)
            let run = try await lab.perfdhcp(
                on: relay,
                ["-4", "-l", "198.18.4.2", "-r", "\(Self.rate)", "-n", "\(Self.exchanges)", "-R", "\(Self.clients)", "-d", "10",
                 "-W", "10000000", "-x", "l", "198.18.4.1"])
            let report = try #require(PerfdhcpReport(run.output), "cannot read perfdhcp's report:\n\(run.output.prefix(3000))")
            print("[perfdhcp] \(report.summary)")

            let allowedDrops = Self.exchanges / 100  // 1 %
            lab.check(report.discoverOffer.sent >= Self.exchanges, "DISCOVERs sent: \(report.discoverOffer.sent)")
            lab.check(report.discoverOffer.drops <= allowedDrops, "OFFERs dropped: \(report.summary)")
            lab.check(report.requestAck.drops <= allowedDrops, "ACKs dropped: \(report.summary)")
            lab.check(report.nonUnique == 0, "perfdhcp saw an address handed out twice: \(report.summary)")
            lab.check(report.malformed == 0, "perfdhcp received malformed packets: \(report.summary)")
            let acked = report.ackedAddresses
            lab.check(acked.count == report.requestAck.received, "perfdhcp listed \(acked.count) leases for \(report.requestAck.received) ACKs")
            lab.check(Set(acked).count == acked.count, "an address was ACKed twice: \(acked.count - Set(acked).count) duplicates")

            // The store: one active lease per ACK (a lost ACK could add a committed lease
            // perfdhcp never saw, never the other way round), every ACKed address among them.
            let leases = try await lab.leases().filter { $0.lease.pool == "relayed" && $0.lease.state == .active }
            let addresses = leases.compactMap(\.address)
            print("[perfdhcp] store: \(leases.count) active leases in pool relayed")
            lab.check(Set(addresses).count == addresses.count, "the store holds an address twice")
            lab.check(Set(leases.map(\.client)).count == leases.count, "a client holds two leases")
            lab.check(Set(acked).isSubset(of: Set(addresses)), "ACKed but not in the store: \(Set(acked).subtracting(addresses).sorted().prefix(10))")
            if report.requestAck.drops == 0 {
                lab.check(leases.count == report.requestAck.received, "\(leases.count) active leases for \(report.requestAck.received) ACKs")
            } else {
                lab.check(
                    leases.count >= report.requestAck.received && leases.count <= report.requestAck.sent,
                    "\(leases.count) active leases for \(report.requestAck.received) ACKs of \(report.requestAck.sent) REQUESTs")
            }
            lab.check(addresses.allSatisfy { isAddress($0, between: "198.18.5.0", and: "198.18.6.255") }, "a lease outside the pool")
            lab.check(leases.allSatisfy { $0.client.description.hasPrefix("id:01000c0102") }, "unexpected client keys")
            lab.check(lab.serverIsRunning, "lessor serve exited")

            // The server's own count, from its shutdown line, beside perfdhcp's.
            let status = await lab.stopServer()
            lab.check(status == 0, "lessor serve exited with \(status.map(String.init) ?? "nothing") on SIGTERM")
            let counters = lab.serverLog.split(separator: "\n").last { $0.contains("counters=") }.map(String.init) ?? "no counters line"
            print("[perfdhcp] server: \(counters.components(separatedBy: "counters=").last ?? counters)")
        }
    }
}

/// The parts of perfdhcp's final report the test judges.
extension Lab {
    /// perfdhcp (kea-admin) with `arguments` in `host`'s namespace, bounded; its output is kept
    /// in perfdhcp.log. Exit 0 (all answered) and 3 (some exchange counted as dropped: for the
    /// caller to judge with the numbers) are fine, anything else throws.
    func perfdhcp(on host: LabHost, _ arguments: [String]) async throws -> CommandResult {
        let perfdhcp = try #require(executablePath("perfdhcp"), "perfdhcp is not installed (kea-admin): run scripts/install-deps.sh")
        let ip = try #require(executablePath("ip"))
        let run = try await ChildProcess.run([ip, "netns", "exec", host.namespace, perfdhcp] + arguments, timeout: .seconds(90))
        try write("perfdhcp.log", run.output + run.errors)
        try require(!run.timedOut && (run.status == 0 || run.status == 3), "perfdhcp failed: \(run)")
        return run
    }
}

struct PerfdhcpReport {
    struct Exchange { var sent = 0, received = 0, drops = 0, orphans = 0 }
    var discoverOffer = Exchange()
    var requestAck = Exchange()
    var nonUnique = 0
    var malformed = 0
    var rate = ""
    var delays: [String] = []
    /// The addresses under "Leases for REQUEST-ACK" (printed with -x l).
    var ackedAddresses: [String] = []

    init?(_ output: String) {
        var section = ""
        var sawAck = false
        for raw in output.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("***") {
                section = line
                if line.contains("Statistics for: REQUEST-ACK") { sawAck = true }
                continue
            }
            func value(_ prefix: String) -> Int? {
                line.hasPrefix(prefix) ? Int(line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)) : nil
            }
            if line.hasPrefix("Rate:") { rate = line }
            if let n = value("Malformed packets:") { malformed = n }
            if section.contains("Statistics for: DISCOVER-OFFER") || section.contains("Statistics for: REQUEST-ACK") {
                let ack = section.contains("REQUEST-ACK")
                if let n = value("sent packets:") { ack ? (requestAck.sent = n) : (discoverOffer.sent = n) }
                if let n = value("received packets:") { ack ? (requestAck.received = n) : (discoverOffer.received = n) }
                if let n = value("drops:") { ack ? (requestAck.drops = n) : (discoverOffer.drops = n) }
                if let n = value("orphans:") { ack ? (requestAck.orphans = n) : (discoverOffer.orphans = n) }
                if let n = value("non unique addresses:") { nonUnique += n }
                if line.hasPrefix("avg delay:") || line.hasPrefix("max delay:") { delays.append((ack ? "RA " : "DO ") + line) }
            }
            if section.contains("Leases for REQUEST-ACK") {  // "client_id,adrress,prefix" rows
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                if fields.count >= 2, IPv4Address(fields[1]) != nil { ackedAddresses.append(String(fields[1])) }
            }
        }
        guard sawAck else { return nil }
    }

    var summary: String {
        "DISCOVER-OFFER sent \(discoverOffer.sent) received \(discoverOffer.received) drops \(discoverOffer.drops) "
            + "orphans \(discoverOffer.orphans); REQUEST-ACK sent \(requestAck.sent) received \(requestAck.received) "
            + "drops \(requestAck.drops) orphans \(requestAck.orphans); "
            + "non-unique \(nonUnique); malformed \(malformed); \(rate); \(delays.joined(separator: ", "))"
    }
}
