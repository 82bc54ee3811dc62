import ArgumentParser
import DHCPWire
import Foundation
import LeaseStore
import LeaseStoreSQLite

/// Tools for tests and troubleshooting; hidden from `--help`.
struct DebugCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug", abstract: "Troubleshooting and test helpers.", shouldDisplay: false,
        subcommands: [StoreWriter.self, ScreenDemo.self])

    /// Writes leases to a SQLite store from several tasks and prints a line for each update
    /// the moment it returns. The durability test kills this process with SIGKILL and checks
    /// that every printed lease is in the file.
    struct StoreWriter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "store-writer", abstract: "Write leases and report each committed one on stdout.")

        @Option(help: "SQLite database file.") var database: String
        @Option(help: "Leases to write in all.") var count = 100_000
        @Option(help: "Concurrent writers.") var tasks = 8

        func run() async throws {
            let store = try SQLiteLeaseStore(.init(path: database))
            let count = count, tasks = tasks
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        for n in stride(from: task, to: count, by: tasks) {
                            let client = ClientID.hardware(HardwareAddress(bytes: [2, 0, UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)])!)
                            let lease = Lease.v4(IPv4Address(198 << 24 | 18 << 16 | UInt32(n)), expiresAt: Date() + 3600, owner: "range")
                            let stored = try await store.transact(client, writer: "range") { $0.leases = [lease] }
                            // One write(2) per line, unbuffered: the line exists only after the update returned.
                            FileHandle.standardOutput.write(Data("committed \(client) \(stored.leases[0].version)\n".utf8))
                        }
                    }
                }
                try await group.waitForAll()
            }
            await store.close()
        }
    }
}
