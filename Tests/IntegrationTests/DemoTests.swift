import Foundation
import Testing

/// `lessor demo --headless`: the embedded server and the simulated population, end to end,
/// without root or network (loopback only).
@Suite("lessor demo")
struct DemoTests {
    static var lessor: URL { ServerLifecycleTests.lessor }

    @Test func headlessDemoServesItsClientsAndTheStoreShowsEveryBoundOne() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lessor-demo-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = UInt16.random(in: 20_000...40_000)
        let output = try await ChildProcess.run(
            [Self.lessor.path, "demo", "--headless", "--clients", "24", "--duration", "8", "--port", "\(port)", "--dir", directory.path])
        #expect(output.status == 0 && !output.timedOut, "demo exited cleanly: \(output.output) \(output.errors)")

        // "lessor demo: done. 17/24 bound; joins 18, …"
        let done = try #require(output.output.split(separator: "\n").last { $0.hasPrefix("lessor demo: done.") }, "summary line: \(output.output)")
        let bound = try #require(Int(done.split(separator: " ")[3].split(separator: "/")[0]))
        let joins = try #require(Int(done.split(separator: "joins ")[1].prefix { $0.isNumber }))
        #expect(bound > 0, "clients got leases within 8 s: \(done)")
        #expect(joins >= bound)

        // Every client the simulation holds as bound has an active lease in the database.
        let leases = try await ChildProcess.run(
            [Self.lessor.path, "leases", "-c", directory.appendingPathComponent("lessor.yaml").path, "--state", "active", "--json"])
        let records = try JSONSerialization.jsonObject(with: Data(leases.output.utf8)) as? [Any]
        #expect(records?.count == bound, "active leases in the store = bound clients: \(leases.output.prefix(400))")
    }
}

/// The README's first command in a real terminal: the dashboard opens on the demo's server,
/// fills with the simulated clients' leases, and `q` ends both.
@Suite("lessor demo with its dashboard", .needsTmux, .timeLimit(.minutes(2)))
struct DemoDashboardTests {
    @Test func theDashboardFillsWithTheSimulatedLeasesAndQuitEndsTheDemo() async throws {
        let directory = try makeTemporaryDirectory("demo")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tmux = try await TmuxServer(width: 120, height: 36)
        defer { tmux.kill() }
        let port = UInt16.random(in: 20_000...40_000)
        try await tmux.type(
            "LESSOR_THEMES='\(Paths.repository.appendingPathComponent("themes").path)' TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 "
                + "'\(Paths.lessor)' demo --clients 30 --port \(port) --dir '\(directory)'; echo \"demo exited $?\"")
        // Leases arrive (the header counts them) from the office, lab and guests pools.
        try await tmux.waitForScreen("leases from the simulation", timeout: .seconds(30)) { screen in
            guard let match = screen.firstMatch(of: /(\d+) leases: (\d+) active/), let active = Int(match.2) else { return false }
            return active >= 5 && ["office", "lab", "guests"].allSatisfy { screen.contains(" \($0) ") }
        }
        try await tmux.press("q")
        let after = try await tmux.waitForScreen("the demo to end", timeout: .seconds(30)) { $0.contains("demo exited") }
        #expect(after.contains("lessor demo: done.") && after.contains("demo exited 0"), "\(after)")
    }
}
