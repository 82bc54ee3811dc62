import ArgumentParser
import DHCPServer
import DHCPWire
import Foundation
import Logging
import ServiceLifecycle

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a server with simulated clients and watch it in the dashboard (no root, no network).",
        discussion: """
            Starts `lessor serve` in this process on loopback (an unprivileged port on 127.0.0.67), with its \
            lease database and control socket in a directory, and a population of simulated clients that \
            join, renew, release, leave and decline through a relay on 127.0.0.68, so every message takes \
            the server's real path. Then opens `lessor top` on it; quitting the dashboard stops the demo. \
            With --headless the dashboard is not opened and a summary line is printed every few seconds.
            """)

    @Option(help: "Directory for the configuration, lease database, control socket and log (default: a new temporary one, removed afterwards).")
    var dir: String?
    @Flag(help: "Do not open the dashboard; print a summary line every few seconds.") var headless = false
    @Option(help: "Simulated clients.") var clients = 160
    @Option(help: "Stop after this many seconds (default: run until quit or interrupted).") var duration: Double?
    @Option(help: "UDP port of the server and the relay (two loopback addresses share it).") var port: UInt16 = 6767
    @Option(help: "Seed of the simulation (same seed, same clients and choices).") var seed: UInt64 = 2026
    @Flag(help: "Open the dashboard without release and extend.") var readonly = false

    static let serverAddress = IPv4Address(127, 0, 0, 67)
    static let relayAddress = IPv4Address(127, 0, 0, 68)

    func validate() throws {
        guard clients > 0, clients <= 100_000 else { throw ValidationError("--clients must be between 1 and 100000") }
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
    }

    func run() async throws {
        let directory = try DemoDirectory(dir)
        defer { directory.removeIfTemporary() }
        let configurationFile = try directory.writeConfiguration(server: Self.serverAddress, port: port)
        let logFile = directory.path("lessor.log")
        let logHandle = try FileLogHandler.open(logFile)
        LoggingSystem.bootstrap { label in FileLogHandler(label: label, handle: logHandle, level: .info) }
        let logger = Logger(label: "lessor")

        print("lessor demo: \(clients) simulated clients; server \(Self.serverAddress):\(port), relay \(Self.relayAddress)")
        print("  directory \(directory.root) (configuration lessor.yaml, database leases.sqlite, log lessor.log)")
        print("  control socket \(directory.path("control.sock"))")

        let server = LessorServer(configurationFile: configurationFile, logger: logger)
        // With the dashboard, the terminal owns SIGINT/SIGTERM (it restores the screen, then the
        // demo shuts the server down); headless, the service group takes them.
        let group = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: headless ? [.sigterm, .sigint] : [], logger: logger))
        let relay = try DemoRelay(address: Self.relayAddress, server: Self.serverAddress, port: port)
        defer { relay.stop() }
        let population = DemoPopulation(relay: relay, size: clients, seed: seed)
        let headless = headless, duration = duration, clients = clients, readonly = readonly
        let socket = directory.path("control.sock")

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                do {
                    try await group.run()
                } catch let error as ConfigurationError {
                    throw DemoError("the demo's configuration is invalid (a bug): \(error)")
                }
            }
            tasks.addTask {
                defer { Task { await group.triggerGracefulShutdown() } }
                guard await Self.waitUntilServing(relay) else {
                    throw DemoError("the server did not answer within 15 s; see \(logFile)")
                }
                let deadline = duration.map { ContinuousClock.now + .seconds($0) }
                let simulation = Task { await population.run(until: deadline) }
                defer { simulation.cancel() }
                if headless {
                    await Self.report(population, every: .seconds(5), until: deadline, clients: clients)
                } else {
                    let dashboard = Task { try await TopSession(socket: socket, readonly: readonly).runAndExit() }
                    // --duration ends the dashboard too (recordings, tests).
                    let stopper = deadline.map { deadline in
                        Task {
                            try? await Task.sleep(until: deadline)
                            dashboard.cancel()
                        }
                    }
                    defer { stopper?.cancel() }
                    try await dashboard.value
                }
            }
            try await tasks.next()
            tasks.cancelAll()
        }
        let counts = await population.counts
        print("lessor demo: done. \(Self.describe(counts, clients: clients))")
    }

    /// Asks with DHCPINFORM (no lease involved) until the server answers.
    static func waitUntilServing(_ relay: DemoRelay) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(15)
        var xid: UInt32 = 0x1de_0000
        while ContinuousClock.now < deadline {
            xid += 1
            var inform = relay.relayed(.inform, client: HardwareAddress(bytes: [2, 0, 0x5e, 0xff, 0xff, 0xff])!, xid: xid,
                                       subnet: DemoPopulation.sites[0].subnet)
            inform.ciaddr = DemoPopulation.sites[0].first
            if await relay.exchange(inform, timeout: .milliseconds(300)) != nil { return true }
            if Task.isCancelled { return false }
        }
        return false
    }

    static func report(_ population: DemoPopulation, every interval: Duration, until deadline: ContinuousClock.Instant?, clients: Int) async {
        while !Task.isCancelled {
            let wait = deadline.map { min(interval, $0 - .now) } ?? interval
            if wait > .zero { try? await Task.sleep(for: wait) }
            print("lessor demo: \(describe(await population.counts, clients: clients))")
            if let deadline, ContinuousClock.now >= deadline { return }
        }
    }

    static func describe(_ counts: DemoPopulation.Counts, clients: Int) -> String {
        "\(counts.bound)/\(clients) bound; joins \(counts.joins), renewals \(counts.renewals), releases \(counts.releases), "
            + "declines \(counts.declines), departures \(counts.departures), NAKs \(counts.naks), unanswered \(counts.unanswered)"
    }
}
