import Foundation
import LeaseStore
import LeaseStoreSQLite
import Testing

/// The SQLite durability promise, across a real process boundary: a child process writes
/// leases and prints each one as its update returns; it is killed with SIGKILL mid-stream;
/// every lease it printed must be in the file when reopened.
@Suite("SQLite durability")
struct SQLiteDurabilityTests {
    /// The `lessor` executable built beside this test bundle.
    static var lessorBinary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lessor")
    }

    @Test func aLeaseReportedCommittedSurvivesSIGKILL() async throws {
        let binary = Self.lessorBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "lessor not built at \(binary.path)")
        let directory = try TemporaryDirectory()
        let path = directory.path("leases.sqlite")

        let child = Process()
        child.executableURL = binary
        child.arguments = ["debug", "store-writer", "--database", path, "--count", "1000000", "--tasks", "16"]
        let output = Pipe()
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        try child.run()

        // Read committed lines until enough have arrived, then kill without warning.
        var committed: [(client: ClientID, version: UInt64)] = []
        var buffer = Data()
        let reader = output.fileHandleForReading
        while committed.count < 300 {
            let chunk = reader.availableData
            if chunk.isEmpty { break }  // the child died early; the checks below will say so
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                let fields = line.split(separator: " ")
                if fields.count == 3, fields[0] == "committed", let client = ClientID(text: fields[1]), let version = UInt64(fields[2]) {
                    committed.append((client, version))
                }
            }
        }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal, "the writer was killed, not finished")
        try #require(committed.count >= 300, "the writer reported only \(committed.count) commits before dying")

        let store = try SQLiteLeaseStore(.init(path: path))
        var missing: [String] = []
        for (client, version) in committed {
            let leases = try await store.read(client)
            if leases.first?.version != version { missing.append("\(client)@\(version)") }
        }
        #expect(missing.isEmpty, "reported committed but not on disk: \(missing.prefix(10))")
        // Nothing half-written either: every stored lease is whole and indexed.
        for record in try await store.all() {
            #expect(try await store.holder(of: record.lease.resources[0])?.client == record.client)
        }
        await store.close()
    }
}
