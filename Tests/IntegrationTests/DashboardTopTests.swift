import DHCPWire
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `lessor top` end to end: a real `lessor serve` on loopback (SQLite store, control socket in
/// a temporary directory), leases made by a loopback relay, and the dashboard in a private tmux
/// server, driven by keys and read back with `capture-pane`.
@Suite("lessor top in tmux", .needsTmux, .serialized, .timeLimit(.minutes(3)))
struct DashboardTopTests {
    let directory: String
    let serverAddress = IPv4Address(127, 0, 0, 4)
    let subnet = IPv4Address(198, 18, 10, 0)
    let port = UInt16.random(in: 20_000...40_000)

    init() throws {
        directory = try makeTemporaryDirectory("top")
    }

    var socketPath: String { directory + "/control.sock" }
    var configurationFile: String { directory + "/lessor.yaml" }

    /// A running server with `count` leases (clients 1…count); its PID is killed by the caller.
    func startServer(leases count: Int) async throws -> (ChildProcess, LoopbackRelay, [DHCPv4Message]) {
        try """
        store: {provider: sqlite, path: leases.sqlite}
        control: {socket: \(socketPath)}
        server4:
          listen: [{address: \(serverAddress)}]
          port: \(port)
          subnets:
            - name: lab
              subnet: \(subnet)/24
              pools: [198.18.10.10-198.18.10.250]
              lease_time: 10m
              server_id: \(serverAddress)
          plugins: [server_id, lease_time, netmask, range]
        """.write(toFile: configurationFile, atomically: true, encoding: .utf8)
        let log = directory + "/serve.log"
        let server = try ChildProcess([Paths.lessor, "serve", "-c", configurationFile], stdout: log, stderr: log)
        let relay = try LoopbackRelay(port: port)
        var acks: [DHCPv4Message] = []
        for number in 1...count {
            acks.append(try await eventually("lease \(number)", timeout: .seconds(30)) { () -> DHCPv4Message? in
                guard server.isRunning else { throw LabError("lessor serve exited: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")") }
                return try acquire(relay, client: number)
            })
        }
        return (server, relay, acks)
    }

    func acquire(_ relay: LoopbackRelay, client number: Int) throws -> DHCPv4Message? {
        let xid = UInt32(0x70_0000 + number * 16)
        guard let offer = try relay.exchange(relay.relayed(.discover, mac: UInt8(number), xid: xid, subnet: subnet), server: serverAddress, serverPort: port)
        else { return nil }
        let request = relay.relayed(.request, mac: UInt8(number), xid: xid, subnet: subnet, requested: offer.yiaddr, server: serverAddress)
        guard let ack = try relay.exchange(request, server: serverAddress, serverPort: port), try ack.messageType == .ack else { return nil }
        return ack
    }

    /// A renewal (REQUEST with ciaddr) of client `number`'s address: a new lease version.
    func renew(_ relay: LoopbackRelay, client number: Int, address: IPv4Address) throws -> Bool {
        var request = relay.relayed(.request, mac: UInt8(number), xid: UInt32(0x71_0000 + number), subnet: subnet)
        request.ciaddr = address
        return try relay.exchange(request, server: serverAddress, serverPort: port)?.messageType == .ack
    }

    /// The command line typed at the shell prompt; the dashboard's exit status is echoed after it.
    func topCommand(_ environment: String) -> String {
        "\(environment) '\(Paths.lessor)' top --socket '\(socketPath)' --themes '\(Paths.repository.appendingPathComponent("themes").path)'; echo \"top exited $?\""
    }

    static func exitStatus(_ screen: String) -> Int? {
        screen.split(separator: "\n").lazy.compactMap { line in
            line.hasPrefix("top exited ") ? Int(line.dropFirst("top exited ".count).trimmingCharacters(in: .whitespaces)) : nil
        }.first
    }

    /// The expiry countdown shown on the row of `address` (the text after the state), or nil.
    static func countdown(of address: IPv4Address, in screen: String) -> String? {
        guard let row = screen.split(separator: "\n").first(where: { $0.contains("\(address) ") && $0.contains("active") }) else { return nil }
        return row.firstMatch(of: /active\s+(\d\d:\d\d|\d+h\d\dm)/).map { String($0.1) }
    }

    func storedState(of address: IPv4Address) async throws -> String? {
        let result = try await ChildProcess.run([Paths.lessor, "leases", "-c", configurationFile, "--address", "\(address)", "--json"])
        return result.output.firstMatch(of: /"state"\s*:\s*"(\w+)"/).map { String($0.1) }
    }

    func quit(_ tmux: TmuxServer) async throws {
        try await tmux.press("q")
        let screen = try await tmux.waitForScreen("the shell after q") { Self.exitStatus($0) != nil }
        #expect(Self.exitStatus(screen) == 0, "top exited cleanly: \(screen)")
        #expect(try await tmux.display("#{alternate_on}") == "0", "the alternate screen was left")
    }

    @Test func leasesAppearCountDownFilterReleaseResizeAndQuit() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (server, relay, acks) = try await startServer(leases: 5)
        defer { server.signal(SIGKILL) }
        let tmux = try await TmuxServer(width: 120, height: 36)
        defer { tmux.kill() }
        try await tmux.type(topCommand("TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8"))

        // Every lease appears, with its countdown, and the countdown moves.
        let first = try await tmux.waitForScreen("the five leases") { screen in acks.allSatisfy { screen.contains("\($0.yiaddr) ") } }
        let before = try #require(Self.countdown(of: acks[0].yiaddr, in: first), "a countdown on the row: \(first)")
        try await tmux.waitForScreen("the countdown to move") { Self.countdown(of: acks[0].yiaddr, in: $0).map { $0 != before } ?? false }

        // A lease granted while the dashboard runs shows up without any key.
        let sixth = try #require(try acquire(relay, client: 6))
        try await tmux.waitForScreen("the sixth lease, live") { $0.contains("\(sixth.yiaddr) ") }

        // Filter down to one address: the table says 1 of 6.
        let target = acks[2].yiaddr
        try await tmux.press("/")
        try await tmux.run(["send-keys", "-l", "\(target)"])
        try await tmux.press("Enter")
        try await tmux.waitForScreen("the filtered table") { $0.contains("Leases 1 of 6") && $0.contains("filter \(target)") }

        // r, then y: released in the store, and the dashboard says the address is held.
        try await tmux.press("r")
        try await tmux.waitForScreen("the confirmation, No by default") { $0.contains("no (the default)") }
        try await tmux.press("y")
        try await tmux.waitForScreen("the release") { $0.contains("released hw:") }
        #expect(try await storedState(of: target) == "released", "the store shows the release")

        // A bigger window: the layout follows (rules span the new width, the footer is at the new bottom).
        try await tmux.run(["resize-window", "-x", "160", "-y", "48"])
        try await tmux.waitForScreen("the 160x48 layout") { screen in
            let lines = screen.components(separatedBy: "\n")
            guard lines.count >= 48, let rule = lines.first(where: { $0.hasPrefix("─ Pools") }) else { return false }
            return rule.count == 160 && lines[46...47].contains { $0.contains("q quit") }
        }

        try await quit(tmux)
    }

    @Test func aReleaseThatRacesARenewalGetsTheConflictMessage() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (server, relay, acks) = try await startServer(leases: 1)
        defer { server.signal(SIGKILL) }
        let tmux = try await TmuxServer(width: 120, height: 36)
        defer { tmux.kill() }
        try await tmux.type(topCommand("TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8"))
        let address = acks[0].yiaddr
        try await tmux.waitForScreen("the lease") { $0.contains("\(address) ") }

        // The operator asks to release what they see; before they confirm, the client renews.
        try await tmux.press("r")
        try await tmux.waitForScreen("the confirmation") { $0.contains("no (the default)") }
        #expect(try renew(relay, client: 1, address: address), "the renewal was ACKed")
        try await tmux.press("y")
        try await tmux.waitForScreen("the conflict message") { $0.contains("conflict: the lease changed since you looked") }
        #expect(try await storedState(of: address) == "active", "the renewal stands; nothing was released")
        try await quit(tmux)
    }

    @Test func badThresholdsAndAMissingServerAreClearErrorsBeforeTheTerminalIsTouched() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let thresholds = try await ChildProcess.run(
            [Paths.lessor, "top", "--socket", socketPath, "--warn-percent", "99", "--critical-percent", "50"])
        #expect(thresholds.status == 64 && thresholds.errors.contains("--warn-percent"), "\(thresholds)")
        let missing = try await ChildProcess.run([Paths.lessor, "top", "--socket", socketPath])
        #expect(missing.status == 1 && missing.errors.contains("is lessor serve running? no socket at \(socketPath)"), "\(missing)")
    }

    @Test func aVT100InTheCLocaleGetsASCIIWithoutColours() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (server, _, acks) = try await startServer(leases: 2)
        defer { server.signal(SIGKILL) }
        let tmux = try await TmuxServer(width: 100, height: 30)
        defer { tmux.kill() }
        try await tmux.type(topCommand("TERM=vt100 LANG=C LC_ALL=C"))
        let screen = try await tmux.waitForScreen("both leases") { screen in acks.allSatisfy { screen.contains("\($0.yiaddr) ") } }
        let ascii = screen.unicodeScalars.allSatisfy { $0.isASCII }
        #expect(ascii, "ASCII only: \(screen)")
        let escapes = try await tmux.screen(escapes: true)
        #expect(escapes.firstMatch(of: /\e\[[0-9;]*(3[0-7]|38;[25]|4[0-7]|48;[25])[;m]/) == nil, "no colour sequences")
        try await quit(tmux)
    }
}
