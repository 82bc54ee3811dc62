import Foundation
import LeaseStore
import Testing

/// A bounded stream of malformed and truncated datagrams (scripts/it/malformed.py: truncated
/// real DISCOVERs, random bytes, bad magic cookies, absurd option lengths, broken overload and
/// option 82, odd headers…), broadcast and unicast to the server port. Afterwards the server is
/// still running and serves a real client, and it shuts down cleanly having counted them.
@Suite("Malformed traffic", .needsNetworkNamespaces, .timeLimit(.minutes(3)))
struct MalformedTrafficTests {
    static let configuration = lanConfiguration()

    static let datagrams = 2000

    @Test func theServerSurvivesMalformedTrafficAndStillServesARealClient() async throws {
        try await Lab.run("malformed") { lab in
            try await lab.link("br0", address: "192.0.2.1/24", mac: "00:00:5e:00:53:f0")
            let attacker = try await lab.host("evil", on: "br0", mac: "00:00:5e:00:53:66")
            try await attacker.addAddress("192.0.2.250/24")
            let clientMAC = "00:00:5e:00:53:51"
            let clientHost = try await lab.host("c1", on: "br0", mac: clientMAC)
            try await lab.startServer(configuration: Self.configuration, listeners: 1)

            let python = try #require(Paths.python, "python3 is not installed: run scripts/install-deps.sh")
            let ip = try #require(executablePath("ip"))
            let sent = try await ChildProcess.run(
                [ip, "netns", "exec", attacker.namespace, python, Paths.malformedScript, "--interface", "eth0",
                 "--server", "192.0.2.1", "--count", "\(Self.datagrams)", "--seed", "7", "--seconds", "60", "--fixtures", Paths.fixtures],
                timeout: .seconds(90))
            try lab.require(sent.succeeded, "malformed.py failed: \(sent)")
            print("[malformed] \(sent.output.trimmingCharacters(in: .whitespacesAndNewlines))")
            let summary = try JSONSerialization.jsonObject(with: Data(sent.output.utf8)) as? [String: Any]
            let count = summary?["sent"] as? Int ?? 0
            lab.check(count == Self.datagrams, "malformed.py sent \(count) of \(Self.datagrams)")
            lab.check(lab.serverIsRunning, "lessor serve died on malformed traffic")

            // A real client still gets an address, and the store has it.
            let client = DHCPClient(.udhcpc, on: clientHost)
            try await client.start()
            try await client.waitBound()
            let address = try #require(client.leasedAddress)
            lab.check(Lab.addressIsInPool(address), "the client got \(address)")
            let key = macClientIDKey(clientMAC)
            try await lab.waitForStore("\(key) holding \(address), active") { leases in
                let lease = leases.lease(of: key)
                return lease?.address == address && lease?.lease.state == .active
            }
            try await client.release()
            lab.check(lab.serverIsRunning, "lessor serve exited")

            // A clean shutdown, with the malformed datagrams counted.
            let status = await lab.stopServer()
            lab.check(status == 0, "lessor serve exited with \(status.map(String.init) ?? "nothing") on SIGTERM")
            let log = lab.serverLog
            let malformed = Self.counter("malformed", in: log)
            let received = Self.counter("received", in: log)
            print("[malformed] server counters: received \(received ?? -1), malformed \(malformed ?? -1)")
            // Most of the stream reaches the server (a burst can overflow the socket buffer) and the
            // bulk of it is rejected as malformed; the rest parses leniently enough to be answered
            // or ignored (a DISCOVER without END, an odd hlen, a relay with no subnet).
            lab.check((received ?? 0) >= Self.datagrams / 2, "the server received only \(received ?? 0) datagrams")
            lab.check((malformed ?? 0) >= Self.datagrams / 4, "the server counted \(malformed ?? 0) malformed datagrams")
            lab.check(!log.contains("Fatal error") && !log.contains("fatal error"), "the server log shows a crash")
        }
    }

    /// A counter from the server's shutdown line: counters=["received": 2010, "malformed": 1900, …].
    static func counter(_ name: String, in log: String) -> Int? {
        guard let line = log.split(separator: "\n").last(where: { $0.contains("counters=") }),
            let range = line.range(of: "\"\(name)\": ")
        else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
}
