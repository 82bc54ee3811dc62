import DHCPWire
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The control socket of a real `lessor serve`: a subscriber that stops reading must not slow
/// the DHCP path, and once it reads again it is told to resync.
@Suite("Control socket of lessor serve", .serialized, .timeLimit(.minutes(3)))
struct ControlSocketTests {
    let directory: String
    let serverAddress = IPv4Address(127, 0, 0, 3)
    let subnet = IPv4Address(198, 18, 8, 0)
    let port = UInt16.random(in: 20_000...40_000)

    init() throws {
        directory = try makeTemporaryDirectory("control")
    }

    var socketPath: String { directory + "/control.sock" }

    var configuration: String {
        """
        store: {provider: memory}
        control: {socket: \(socketPath), subscriber_buffer: 16}
        server4:
          listen: [{address: \(serverAddress)}]
          port: \(port)
          subnets:
            - name: lab
              subnet: 198.18.8.0/23
              pools: [198.18.8.10-198.18.9.250]
              lease_time: 1h
              server_id: \(serverAddress)
          plugins: [server_id, lease_time, netmask, range]
        """
    }

    /// One DORA for client `number`; the ACK, or nil when an answer did not come.
    func acquire(_ relay: LoopbackRelay, client number: Int) throws -> DHCPv4Message? {
        let mac = HardwareAddress(bytes: [0x02, 0x00, 0x5e, 0x08, UInt8(number >> 8), UInt8(number & 0xFF)])!
        var discover = relay.relayed(.discover, mac: 0, xid: UInt32(number * 2 + 1), subnet: subnet)
        discover.chaddr = mac
        guard let offer = try relay.exchange(discover, server: serverAddress, serverPort: port) else { return nil }
        var request = relay.relayed(
            .request, mac: 0, xid: UInt32(number * 2 + 2), subnet: subnet, requested: offer.yiaddr, server: serverAddress)
        request.chaddr = mac
        guard let ack = try relay.exchange(request, server: serverAddress, serverPort: port), try ack.messageType == .ack else {
            return nil
        }
        return ack
    }

    @Test func aSubscriberThatStopsReadingDoesNotDelayRepliesAndIsResynced() async throws {
        let python = try #require(Paths.python, "python3 runs the subscriber (scripts/install-deps.sh installs it)")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try configuration.write(toFile: directory + "/lessor.yaml", atomically: true, encoding: .utf8)
        let log = directory + "/serve.log"
        let server = try ChildProcess([Paths.lessor, "serve", "-c", directory + "/lessor.yaml"], stdout: log, stderr: log)
        var finished = false
        defer { if !finished { server.signal(SIGKILL) } }
        let relay = try LoopbackRelay(port: port)
        _ = try await eventually("lessor serve to answer", timeout: .seconds(30)) { () -> Bool? in
            guard server.isRunning else { throw LabError("lessor serve exited: \(String(describing: try? String(contentsOfFile: log, encoding: .utf8)))") }
            return try acquire(relay, client: 0) != nil ? true : nil
        }

        // The subscriber: subscribes, then reads nothing until told to.
        let subscriberOutput = directory + "/subscriber.out"
        _ = FileManager.default.createFile(atPath: subscriberOutput, contents: nil)
        let subscriber = Process()
        subscriber.executableURL = URL(fileURLWithPath: python)
        subscriber.arguments = [Paths.repository.appendingPathComponent("scripts/it/slow_subscriber.py").path, socketPath, "30"]
        let go = Pipe()
        subscriber.standardInput = go
        subscriber.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: subscriberOutput))
        subscriber.standardError = subscriber.standardOutput
        let (exits, exited) = AsyncStream<Int32>.makeStream()
        subscriber.terminationHandler = { process in
            exited.yield(process.terminationStatus)
            exited.finish()
        }
        try subscriber.run()
        defer { if subscriber.isRunning { kill(subscriber.processIdentifier, SIGKILL) } }
        _ = try await eventually("the subscriber to subscribe", timeout: .seconds(20), interval: .milliseconds(50)) { () -> Bool? in
            (try String(contentsOfFile: subscriberOutput, encoding: .utf8)).contains("subscribed") ? true : nil
        }

        // Enough commits to fill the kernel's socket buffer, NIO's and the subscriber's queue of 16.
        let clients = 450
        var acked = 0
        var slowest = Duration.zero
        let clock = ContinuousClock()
        for number in 1...clients {
            let started = clock.now
            if try acquire(relay, client: number) != nil { acked += 1 }
            slowest = max(slowest, clock.now - started)
        }
        #expect(acked == clients, "every client got its ACK with the subscriber stuck")
        #expect(slowest < .seconds(2), "the slowest DORA took \(slowest)")

        // Now it reads: it must be told it fell behind.
        go.fileHandleForWriting.write(Data("read\n".utf8))
        var statuses = exits.makeAsyncIterator()
        let status = await statuses.next()  // the script gives up by itself after 30 s
        let said = try String(contentsOfFile: subscriberOutput, encoding: .utf8)
        #expect(status == 0 && said.contains("resync"), "the subscriber said: \(said)")
        server.signal(SIGTERM)
        #expect(await server.waitForExit(timeout: .seconds(20)))
        finished = true
        let output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(output.contains("control subscriber fell behind"), "\(output.suffix(2000))")
        #expect(access(socketPath, F_OK) != 0, "the socket file is removed on shutdown")
    }

    func ctl(_ arguments: String...) async throws -> CommandResult {
        try await ChildProcess.run([Paths.lessor, "ctl"] + arguments + ["--socket", socketPath], timeout: .seconds(30))
    }

    /// `lessor ctl` end to end: a lease looked up by address, released with the version seen,
    /// the same version refused afterwards; and `pools` shows the new pools after a SIGHUP.
    @Test func ctlReleasesWithTheVersionSeenAndPoolsFollowAReload() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/lessor.yaml"
        try configuration.write(toFile: file, atomically: true, encoding: .utf8)
        let log = directory + "/serve.log"
        let server = try ChildProcess([Paths.lessor, "serve", "-c", file], stdout: log, stderr: log)
        defer { server.signal(SIGKILL) }
        let relay = try LoopbackRelay(port: port)
        let ack = try await eventually("lessor serve to answer", timeout: .seconds(30)) { () -> DHCPv4Message? in
            guard server.isRunning else { throw LabError("lessor serve exited") }
            return try acquire(relay, client: 1)
        }

        let lookup = try await ctl("lease", "\(ack.yiaddr)")
        #expect(lookup.succeeded, "\(lookup)")
        let version = try #require(
            lookup.output.firstMatch(of: /"version":(\d+)/).map { String($0.1) }, "a version in \(lookup.output)")
        let client = "hw:1:02:00:5e:08:00:01"
        let released = try await ctl("release", client, "--lease-version", version)
        #expect(released.succeeded && released.output.contains(#""state":"released""#), "\(released)")
        let again = try await ctl("release", client, "--lease-version", version)
        #expect(again.status == 1 && again.errors.contains("conflict"), "\(again)")

        let before = try await ctl("pools")
        #expect(before.output.contains("198.18.8.10-198.18.9.250"), "\(before)")
        try configuration.replacingOccurrences(of: "198.18.8.10-198.18.9.250", with: "198.18.8.100-198.18.8.199")
            .write(toFile: file, atomically: true, encoding: .utf8)
        server.signal(SIGHUP)
        let after = try await eventually("pools to show the reloaded range") { () -> CommandResult? in
            let result = try await ctl("pools")
            return result.output.contains("198.18.8.100-198.18.8.199") ? result : nil
        }
        #expect(after.output.contains(#""size":100"#), "\(after)")
    }

    /// A dual-stack `lessor serve` (DHCPv6 on ::1): `lessor ctl pools` lists the DHCPv6 pools
    /// next to the DHCPv4 one, a /64 with size UInt64.max and a prefix pool counting prefixes,
    /// and still after a SIGHUP.
    @Test func ctlPoolsListsTheDHCPv6PoolsOfADualStackServer() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/lessor.yaml"
        let dualStack = configuration + """

            server6:
              listen: [{address: "::1"}]
              port: \(port + 1)
              server_duid_file: \(directory)/duid
              subnets:
                - name: lab6
                  prefix: 2001:db8:8::/64
                  pools: ["2001:db8:8::-2001:db8:8::ffff:ffff:ffff:ffff"]
                  prefix_pools: [{prefix: 2001:db8:800::/48, delegated_length: 56}]
                  valid_lifetime: 2h
              plugins: [server_id, range6, prefix]
            """
        try dualStack.write(toFile: file, atomically: true, encoding: .utf8)
        let log = directory + "/serve.log"
        let server = try ChildProcess([Paths.lessor, "serve", "-c", file], stdout: log, stderr: log)
        defer { server.signal(SIGKILL) }
        let pools = try await eventually("the control socket to list the pools", timeout: .seconds(30)) { () -> CommandResult? in
            guard server.isRunning else { throw LabError("lessor serve exited: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")") }
            let result = try await ctl("pools")
            return result.succeeded ? result : nil
        }
        /// The JSON object of the pool named `name` in a `pools` answer (keys sorted, slashes as they are).
        func pool(_ name: String, in result: CommandResult) -> String {
            result.output.matches(of: /\{[^{}]*\}/).map { String($0.output) }.first { $0.contains(#""name":"\#(name)""#) } ?? ""
        }
        #expect(pool("lab", in: pools).contains(#""family":"v4""#), "\(pools)")
        let addresses = pool("lab6", in: pools)
        #expect(addresses.contains(#""family":"ia_na""#) && addresses.contains(#""size":18446744073709551615"#), "\(pools)")
        #expect(addresses.contains(#""leaseTime":7200"#) && addresses.contains(#""subnet":"2001:db8:8::/64""#), "\(pools)")
        let prefixes = pool("lab6/pd", in: pools)
        #expect(prefixes.contains(#""family":"ia_pd""#) && prefixes.contains(#""size":256"#), "\(pools)")
        #expect(prefixes.contains(#""range":"2001:db8:800::/48 → /56""#), "\(pools)")

        try dualStack.replacingOccurrences(of: "delegated_length: 56", with: "delegated_length: 52")
            .write(toFile: file, atomically: true, encoding: .utf8)
        server.signal(SIGHUP)
        _ = try await eventually("pools to show the reloaded prefix pool") { () -> CommandResult? in
            let result = try await ctl("pools")
            return pool("lab6/pd", in: result).contains(#""size":16,"#) ? result : nil
        }
    }
}
