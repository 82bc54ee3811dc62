import DHCPWire
import Foundation
import LeaseStore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Where the repository, the lab script and the binaries under test are.
enum Paths {
    /// The package root: the nearest directory above this file holding Package.swift.
    static let repository: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<8 {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return directory }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    static var labScript: String { repository.appendingPathComponent("scripts/it/lab.sh").path }
    static var malformedScript: String { repository.appendingPathComponent("scripts/it/malformed.py").path }
    static var fixtures: String { repository.appendingPathComponent("Tests/DHCPWireTests/Fixtures").path }

    /// The `lessor` executable built beside this test bundle.
    static var lessor: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lessor").path
    }

    /// Debian's python3 (the scripts use only its standard library).
    static var python: String? {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : executablePath("python3")
    }
}

enum LabSupport {
    /// Why the machine cannot run these tests, or nil when it can. Only what no setup script
    /// can fix counts: not root, or no network namespaces. Missing client packages are
    /// failures (scripts/install-deps.sh installs them).
    static let unavailableReason: String? = {
        guard getuid() == 0 else {
            return "needs root to create network namespaces and veth pairs (run the tests as root, as CI does)"
        }
        guard let ip = executablePath("ip") else { return "no `ip` command (iproute2) to create network namespaces" }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: ip)
        probe.arguments = ["netns", "list"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do {
            try probe.run()
            probe.waitUntilExit()
        } catch {
            return "`ip netns list` cannot run: \(error)"
        }
        guard probe.terminationStatus == 0 else {
            return "`ip netns` is not available here (exit \(probe.terminationStatus)): no network-namespace support"
        }
        return nil
    }()

    /// Removes, once per test process, empty namespaces left by test runs that died.
    static let sweep = Mutex(false)
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only where network namespaces can be made (root, `ip netns`).
    static var needsNetworkNamespaces: Self {
        .enabled(if: LabSupport.unavailableReason == nil, Comment(rawValue: LabSupport.unavailableReason ?? ""))
    }
}

/// One test's network: a server namespace with bridges (links) and client hosts, built by
/// scripts/it/lab.sh, plus `lessor serve` inside it and its lease store in a temp directory.
/// `Lab.run` tears all of it down whatever happens, and prints the server's and clients'
/// logs when the test failed.
final class Lab: Sendable {
    /// Namespace prefix: `lit<test process PID>-<tag>`, unique per test and run.
    let name: String
    let directory: String
    private let server = Mutex<ChildProcess?>(nil)
    private let failed = Mutex(false)

    var serverNamespace: String { name + "-srv" }
    var configurationPath: String { directory + "/lessor.yaml" }
    var serverLogPath: String { directory + "/server.log" }

    private init(tag: String) throws {
        name = "lit\(getpid())-\(tag)"
        directory = try makeTemporaryDirectory(tag)
        chmod(directory, 0o755)  // dhcpcd's unprivileged helpers read the hook script in here
    }

    /// Builds a lab named after `tag`, runs `body`, and tears the lab down: the server and every
    /// client end (by PID), the namespaces go, the temp directory is removed (kept and its logs
    /// printed when the test failed).
    static func run(_ tag: String, _ body: (Lab) async throws -> Void) async throws {
        if LabSupport.sweep.withLock({ done in defer { done = true }; return !done }) {
            _ = try? await ChildProcess.run(["/bin/bash", Paths.labScript, "sweep"], timeout: .seconds(60))
        }
        let lab = try Lab(tag: tag)
        do {
            try await lab.script("up", lab.name)
            try await body(lab)
        } catch {
            lab.failed.withLock { $0 = true }
            await lab.close()
            throw error
        }
        await lab.close()
    }

    private func close() async {
        if let server = server.withLock({ $0 }) { await server.stop() }
        let down = try? await ChildProcess.run(["/bin/bash", Paths.labScript, "down", name, directory], timeout: .seconds(60))
        if down?.succeeded != true { print("[\(name)] teardown: \(down.map(String.init(describing:)) ?? "did not run")") }
        let keep = ProcessInfo.processInfo.environment["LESSOR_IT_KEEP"] != nil
        if failed.withLock({ $0 }) {
            printDiagnostics()
            print("[\(name)] kept \(directory) for inspection")
        } else if keep {
            print("[\(name)] kept \(directory) (LESSOR_IT_KEEP)")
        } else {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    // MARK: Checks that also mark the lab failed, so its logs get printed

    func check(_ condition: Bool, _ comment: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard !condition else { return }
        failed.withLock { $0 = true }
        Issue.record(Comment(rawValue: comment()), sourceLocation: sourceLocation)
    }

    func require(_ condition: Bool, _ comment: @autoclosure () -> String) throws {
        guard !condition else { return }
        throw LabError(comment())
    }

    // MARK: Topology

    /// Runs scripts/it/lab.sh with `arguments`; throws with its output when it fails.
    @discardableResult
    func script(_ arguments: String..., timeout: Duration = .seconds(60)) async throws -> CommandResult {
        try await script(arguments, timeout: timeout)
    }

    @discardableResult
    func script(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> CommandResult {
        let result = try await ChildProcess.run(["/bin/bash", Paths.labScript] + arguments, timeout: timeout)
        guard result.succeeded else { throw LabError("lab.sh failed: \(result)") }
        return result
    }

    /// A link: a bridge in the server namespace carrying the server's address (ADDR/LEN).
    func link(_ bridge: String, address: String, mac: String) async throws {
        try await script("link", name, bridge, address, mac)
    }

    /// IPv6 on a link: the server's address (2001:db8::/32) on `bridge`, "ADDR/LEN".
    func link6(_ bridge: String, address: String) async throws {
        try await script("link6", name, bridge, address)
    }

    /// kea-dhcp6 on `bridge` (whose address is `address`): a reference DHCPv6 server for the
    /// lab's clients, see `lab.sh kea6`. Ended by PID with the lab.
    func startKea6(on bridge: String, address: String) async throws {
        try await script("kea6", name, bridge, address, directory)
    }

    /// kea-dhcp6's memfile, oldest first: one row per lease write (a release writes valid lifetime 0).
    func kea6Leases() -> [Kea6Lease] {
        let text = (try? String(contentsOfFile: directory + "/kea6/leases6.csv", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").dropFirst().compactMap(Kea6Lease.init)
    }

    /// A client host: its own namespace, eth0 with `mac`, plugged into `bridge`.
    func host(_ host: String, on bridge: String, mac: String) async throws -> LabHost {
        try await script("host", name, host, bridge, mac)
        return LabHost(lab: self, name: host, mac: mac)
    }

    /// A routed point-to-point link between a new host (a relay agent) and the server namespace.
    func veth(_ host: String, address: String, serverAddress: String) async throws -> LabHost {
        try await script("veth", name, host, address, serverAddress)
        return LabHost(lab: self, name: host, mac: "")
    }

    /// Moves `host`'s cable to another bridge.
    func replug(_ host: LabHost, to bridge: String) async throws {
        try await script("replug", name, host.name, bridge)
    }

    func write(_ file: String, _ contents: String) throws {
        try contents.write(toFile: directory + "/" + file, atomically: true, encoding: .utf8)
    }

    // MARK: The server

    /// Writes the configuration, validates it with `lessor check-config`, starts `lessor serve`
    /// in the server namespace and waits until it listens on `listeners` sockets.
    /// The control socket of a configuration that names none: in the lab's directory, so labs
    /// running side by side do not contend for the default /run/lessor/control.sock.
    var controlSocketPath: String { directory + "/control.sock" }

    func startServer(configuration yaml: String, listeners: Int) async throws {
        let hasControl = yaml.hasPrefix("control:") || yaml.contains("\ncontrol:")
        try write("lessor.yaml", hasControl ? yaml : yaml + "\ncontrol: {socket: \(controlSocketPath)}\n")
        let checked = try await ChildProcess.run([Paths.lessor, "check-config", configurationPath], timeout: .seconds(60))
        guard checked.succeeded else { throw LabError("the test's configuration is invalid: \(checked)") }
        guard let ip = executablePath("ip") else { throw LabError("no ip command") }
        let child = try ChildProcess(
            [ip, "netns", "exec", serverNamespace, Paths.lessor, "serve", "-c", configurationPath],
            stdout: serverLogPath, stderr: serverLogPath)
        server.withLock { $0 = child }
        _ = try await eventually("lessor serve to listen on \(listeners) socket(s)", timeout: .seconds(30)) { () -> Bool? in
            guard child.isRunning else { throw LabError("lessor serve exited with \(child.exitStatus ?? -1)") }
            return serverLog.components(separatedBy: "listening for DHCP").count - 1 >= listeners ? true : nil
        }
    }

    var serverLog: String { (try? String(contentsOfFile: serverLogPath, encoding: .utf8)) ?? "" }
    var serverIsRunning: Bool { server.withLock { $0?.isRunning } ?? false }

    /// Sends `signal` to `lessor serve` (SIGHUP: reload).
    func signalServer(_ signal: Int32) { server.withLock { $0 }?.signal(signal) }

    /// SIGTERM (graceful shutdown); the exit status.
    func stopServer() async -> Int32? {
        guard let child = server.withLock({ $0 }) else { return nil }
        return await child.stop(grace: .seconds(15))
    }

    // MARK: The store, through `lessor leases --json`

    func leases() async throws -> [LeaseRecord] {
        let result = try await ChildProcess.run([Paths.lessor, "leases", "-c", configurationPath, "--json"], timeout: .seconds(30))
        guard result.succeeded else { throw LabError("lessor leases failed: \(result)") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode([LeaseRecord].self, from: Data(result.output.utf8))
        } catch {
            throw LabError("lessor leases --json printed what does not decode as [LeaseRecord]: \(error)\n\(result.output.prefix(2000))")
        }
    }

    /// Polls the store until `predicate` holds; on timeout the error shows the last snapshot.
    @discardableResult
    func waitForStore(
        _ what: String, timeout: Duration = .seconds(20), _ predicate: ([LeaseRecord]) -> Bool
    ) async throws -> [LeaseRecord] {
        var last: [LeaseRecord] = []
        do {
            return try await eventually("the store to show \(what)", timeout: timeout) { () -> [LeaseRecord]? in
                last = try await leases()
                return predicate(last) ? last : nil
            }
        } catch let error as LabError {
            throw LabError("\(error.description)\nthe store holds:\n\(last.summary)")
        }
    }

    // MARK: Diagnostics

    private func printDiagnostics() {
        var text = "==== [\(name)] server log (\(serverLogPath)), last 200 lines\n"
        text += serverLog.split(separator: "\n", omittingEmptySubsequences: false).suffix(200).joined(separator: "\n")
        let files = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).sorted()
        for file in files where file.hasSuffix(".log") && !file.hasPrefix("server") && !file.contains("guard/") {
            let contents = (try? String(contentsOfFile: directory + "/" + file, encoding: .utf8)) ?? ""
            text += "\n==== [\(name)] \(file), last 60 lines\n"
            text += contents.split(separator: "\n", omittingEmptySubsequences: false).suffix(60).joined(separator: "\n")
        }
        print(text)
    }
}

/// A client host in a lab: a namespace with eth0 on one of the lab's links.
struct LabHost: Sendable {
    let lab: Lab
    let name: String
    let mac: String

    var namespace: String { lab.name + "-" + name }

    /// The IPv4 addresses on eth0, without prefix length.
    func addresses() async throws -> [String] {
        guard let ip = executablePath("ip") else { throw LabError("no ip command") }
        let result = try await ChildProcess.run([ip, "-n", namespace, "-4", "-o", "addr", "show", "dev", "eth0"], timeout: .seconds(20))
        guard result.succeeded else { throw LabError("ip addr failed: \(result)") }
        return result.output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard let index = fields.firstIndex(of: "inet"), index + 1 < fields.count else { return nil }
            return fields[index + 1].split(separator: "/").first.map(String.init)
        }
    }

    /// The global IPv6 addresses on eth0 (no link-local ones), without prefix length.
    func addresses6() async throws -> [String] {
        guard let ip = executablePath("ip") else { throw LabError("no ip command") }
        let result = try await ChildProcess.run(
            [ip, "-n", namespace, "-6", "-o", "addr", "show", "dev", "eth0", "scope", "global"], timeout: .seconds(20))
        guard result.succeeded else { throw LabError("ip addr failed: \(result)") }
        return result.output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard let index = fields.firstIndex(of: "inet6"), index + 1 < fields.count else { return nil }
            return fields[index + 1].split(separator: "/").first.map(String.init)
        }
    }

    /// Adds or removes a static address on eth0 (a host squatting on an address).
    func addAddress(_ cidr: String) async throws { try await lab.script("addr", lab.name, name, cidr) }
    func removeAddress(_ cidr: String) async throws { try await lab.script("unaddr", lab.name, name, cidr) }
}

/// The DHCP clients from Debian that the lab drives, through scripts/lib/netns.sh.
enum ClientKind: String, Sendable, CaseIterable {
    case dhclient = "dhclient4"
    case dhcpcd = "dhcpcd4"
    case udhcpc
    /// DHCPv6: `dhclient -6` (IA_NA), `dhclient -6 -P` (IA_PD), `dhcpcd -6` (IA_NA), dhcp6c (IA_NA).
    case dhclient6, dhclient6pd, dhcpcd6, dhcp6c

    /// The client's own log file in its directory.
    var logFile: String {
        switch self {
        case .dhclient, .dhclient6, .dhclient6pd: "dhclient.log"
        case .dhcpcd, .dhcpcd6: "dhcpcd.log"
        case .udhcpc: "udhcpc.log"
        case .dhcp6c: "dhcp6c.log"
        }
    }
}

/// One DHCP client on one host. Its state (lease file, pid, DUID, hook events, logs) lives in
/// its own directory of the lab, guarded so nothing of the machine's is touched.
struct DHCPClient: Sendable {
    let host: LabHost
    let kind: ClientKind
    let directory: String

    init(_ kind: ClientKind, on host: LabHost, name: String? = nil) {
        self.host = host
        self.kind = kind
        directory = host.lab.directory + "/" + (name ?? "\(host.name)-\(kind.rawValue)")
    }

    private func action(_ action: String, _ extra: [String] = [], timeout: Duration = .seconds(60)) async throws {
        do {
            try await host.lab.script(["client", host.lab.name, host.name, kind.rawValue, action, directory] + extra, timeout: timeout)
        } catch let error as LabError {
            throw LabError("\(kind.rawValue) \(action) on \(host.name): \(error.description)\n--- events\n\(eventsText)")
        }
    }

    /// Starts the client in the background (udhcpc: with `arguments` added).
    func start(_ arguments: [String] = []) async throws {
        if arguments.isEmpty {
            try await action("start")
        } else {
            precondition(kind == .udhcpc, "extra arguments are for udhcpc")
            try await action("with", arguments)
        }
    }

    /// Waits (bounded) until the client reports a lease.
    func waitBound(seconds: Int = 30) async throws { try await action("wait_bound", [String(seconds)]) }
    /// Makes it renew (dhclient: waits for its own T1) and waits for the renewal event.
    func renew() async throws { try await action("renew") }
    /// Releases with the client's own command; the client exits.
    func release() async throws { try await action("release") }
    /// Stops it without a release.
    func stop() async throws { try await action("stop") }
    /// dhclient: stop without release and start again (an INIT-REBOOT).
    func restart() async throws { try await action("restart") }

    /// Forgets the events seen so far, so the next wait only sees new ones.
    func resetEvents() throws { try "".write(toFile: directory + "/events.log", atomically: false, encoding: .utf8) }

    var eventsText: String { (try? String(contentsOfFile: directory + "/events.log", encoding: .utf8)) ?? "" }

    /// The hook's events, oldest first: `reason` plus the key=value fields it logged.
    var events: [[String: String]] {
        eventsText.split(separator: "\n").map { line in
            var fields: [String: String] = [:]
            for field in line.split(separator: " ") {
                let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            return fields
        }
    }

    /// The address of the latest lease event (bound, renewed, rebooted, rebound).
    var leasedAddress: String? {
        let reasons: Set = ["BOUND", "REBOOT", "RENEW", "REBIND", "bound", "renew"]
        return events.last { reasons.contains($0["reason"] ?? "") && !($0["ip"] ?? "").isEmpty }?["ip"]
    }

    /// The client's own log (dhclient.log, dhcpcd.log, udhcpc.log or dhcp6c.log).
    var log: String { (try? String(contentsOfFile: directory + "/" + kind.logFile, encoding: .utf8)) ?? "" }

    /// DHCPv6 (dhclient, dhcpcd): the address or the delegated prefix of the latest lease event.
    var leased6: (address: String?, prefix: String?) {
        let reasons: Set = ["BOUND6", "REBOOT6", "RENEW6", "REBIND6"]
        let last = events.last { reasons.contains($0["reason"] ?? "") }
        return (last?["ip6"].flatMap { $0.isEmpty ? nil : $0 }, last?["prefix6"].flatMap { $0.isEmpty ? nil : $0 })
    }
}

/// One row of kea-dhcp6's memfile (leases6.csv).
struct Kea6Lease: Sendable, Equatable {
    var address: String
    var duid: String
    var validLifetime: Int
    var expire: Int
    /// 0 IA_NA, 1 IA_TA, 2 IA_PD.
    var type: Int
    var prefixLength: Int

    init?(_ line: Substring) {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count > 8, let valid = Int(fields[2]), let expire = Int(fields[3]), let type = Int(fields[6]),
            let length = Int(fields[8])
        else { return nil }
        (address, duid, validLifetime, self.expire, self.type, prefixLength) = (String(fields[0]), String(fields[1]), valid, expire, type, length)
    }
}

extension LeaseRecord {
    /// The lease's first address, as text.
    var address: String? { lease.elements.first.map { "\($0.resource)" } }
}

extension Array where Element == LeaseRecord {
    func lease(of client: String) -> LeaseRecord? { first { $0.client.description == client } }
    func holder(of address: String) -> LeaseRecord? { first { $0.address == address } }

    var summary: String {
        if isEmpty { return "  (no leases)" }
        return map { record in
            "  \(record.client) \(record.address ?? "-") \(record.lease.state) until \(record.lease.expiresAt) "
                + "owner \(record.lease.owner) pool \(record.lease.pool ?? "-") version \(record.lease.version)"
        }.joined(separator: "\n")
    }
}

/// The store's key for a client that sends no option 61 (dhclient): its MAC.
func hardwareKey(_ mac: String) -> String {
    HardwareAddress(mac).map { ClientID.hardware($0).description } ?? "hw:1:\(mac)"
}

/// The store's key for a client that sends option 61 as type 1 + its MAC (udhcpc, perfdhcp).
func macClientIDKey(_ mac: String) -> String {
    "id:01" + mac.split(separator: ":").joined().lowercased()
}

/// Whether `address` (dotted quad) lies in `cidr` ("192.0.2.0/24").
func isAddress(_ address: String, in cidr: String) -> Bool {
    let parts = cidr.split(separator: "/")
    guard parts.count == 2, let network = IPv4Address(parts[0]), let length = UInt32(parts[1]), length <= 32,
        let candidate = IPv4Address(address)
    else { return false }
    let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - length)
    return candidate.rawValue & mask == network.rawValue & mask
}

/// Whether `address` lies in the inclusive range `first`...`last`.
func isAddress(_ address: String, between first: String, and last: String) -> Bool {
    guard let a = IPv4Address(address), let low = IPv4Address(first), let high = IPv4Address(last) else { return false }
    return low <= a && a <= high
}

/// A new private directory `/tmp/lessor-it-<tag>.XXXXXX` (mkdtemp); the caller removes it.
func makeTemporaryDirectory(_ tag: String) throws -> String {
    var template = Array("/tmp/lessor-it-\(tag).XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw LabError("mkdtemp failed: errno \(errno)") }
    return String(cString: made)
}
