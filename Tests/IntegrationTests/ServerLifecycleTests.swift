import DHCPWire
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `lessor serve` as a process, on loopback with an unprivileged port and a loopback relay:
/// configuration reload on SIGHUP (a bad file is rejected, the old one keeps serving),
/// graceful shutdown on SIGTERM, and a clear refusal to start on a bad configuration.
@Suite("lessor serve lifecycle", .serialized)
struct ServerLifecycleTests {
    static var lessor: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lessor") }

    let directory: URL
    let serverAddress = IPv4Address(127, 0, 0, 2)
    let port: UInt16

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lessor-lifecycle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = UInt16.random(in: 20_000...40_000)
    }

    func configuration(leaseTime: String) -> String {
        """
        store: {provider: sqlite, path: leases.sqlite}
        server4:
          listen: [{address: \(serverAddress)}]
          port: \(port)
          subnets:
            - name: lab
              subnet: 198.18.7.0/24
              pools: [198.18.7.10-198.18.7.20]
              lease_time: \(leaseTime)
              server_id: \(serverAddress)
          plugins: [server_id, lease_time, netmask, range]
        control: {socket: \(directory.path)/control.sock}
        """
    }

    func write(_ text: String, to name: String = "lessor.yaml") throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func start() throws -> (Process, URL) {
        let log = directory.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = Self.lessor
        process.arguments = ["serve", "-c", directory.appendingPathComponent("lessor.yaml").path]
        process.currentDirectoryURL = directory
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return (process, log)
    }

    func leaseTime(from relay: LoopbackRelay, mac: UInt8, xid: UInt32) throws -> UInt32? {
        let discover = relay.relayed(.discover, mac: mac, xid: xid, subnet: IPv4Address(198, 18, 7, 0))
        guard let offer = try relay.exchange(discover, server: serverAddress, serverPort: port) else { return nil }
        return try offer.options.get(.leaseTime)
    }

    /// Polls `condition` every 50 ms for up to `seconds`.
    func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        for _ in 0..<Int(seconds * 20) {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }

    @Test func sighupReloadsAGoodConfigurationAndRejectsABadOne() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try write(configuration(leaseTime: "10m"))
        let (server, log) = try start()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() } }
        let relay = try LoopbackRelay(port: port)
        #expect(try eventually(10) { try leaseTime(from: relay, mac: 1, xid: 1) == 600 }, "serving the first configuration")

        // A broken file: rejected, the running configuration keeps serving.
        try write("server4:\n  subnets: [{name: lab, subnet: 198.18.7.0/33}]\n")
        kill(server.processIdentifier, SIGHUP)
        #expect(try eventually(10) { (try String(contentsOf: log, encoding: .utf8)).contains("configuration not reloaded") })
        #expect(try leaseTime(from: relay, mac: 2, xid: 2) == 600)

        // A good one: applied without a restart.
        try write(configuration(leaseTime: "20m"))
        kill(server.processIdentifier, SIGHUP)
        #expect(try eventually(10) { try leaseTime(from: relay, mac: 3, xid: 3) == 1200 })
        #expect(server.isRunning)
    }

    @Test func sigtermStopsGracefullyAndKeepsTheLeases() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try write(configuration(leaseTime: "10m"))
        let (server, log) = try start()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() } }
        let relay = try LoopbackRelay(port: port)
        var offer: DHCPv4Message?
        _ = try eventually(10) {
            offer = try relay.exchange(relay.relayed(.discover, mac: 1, xid: 10, subnet: IPv4Address(198, 18, 7, 0)), server: serverAddress, serverPort: port)
            return offer != nil
        }
        let offered = try #require(offer)
        let request = relay.relayed(.request, mac: 1, xid: 10, subnet: IPv4Address(198, 18, 7, 0), requested: offered.yiaddr, server: serverAddress)
        let ack = try #require(try relay.exchange(request, server: serverAddress, serverPort: port))
        #expect(try ack.messageType == .ack)

        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        let output = try String(contentsOf: log, encoding: .utf8)
        #expect(server.terminationReason == .exit && server.terminationStatus == 0, "clean exit: \(output)")
        #expect(output.contains("stopped"))

        let leases = try run(["leases", "-c", directory.appendingPathComponent("lessor.yaml").path, "--state", "active"])
        #expect(leases.contains("\(ack.yiaddr)"), "the ACKed lease is in the store after shutdown: \(leases)")
    }

    @Test func aBadConfigurationIsRefusedWithFileLineAndField() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try write(configuration(leaseTime: "10m").replacingOccurrences(of: "198.18.7.10-198.18.7.20", with: "198.18.7.30-198.18.7.20"))
        let (server, log) = try start()
        server.waitUntilExit()
        #expect(server.terminationStatus != 0)
        let output = try String(contentsOf: log, encoding: .utf8)
        #expect(output.contains("lessor.yaml:8:15:"), "names the file and line: \(output)")
        #expect(output.contains("pools"), "names the field: \(output)")
    }

    func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = Self.lessor
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
