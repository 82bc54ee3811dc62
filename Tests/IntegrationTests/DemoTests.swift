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
