import ArgumentParser
import Foundation
import LeaseStore
import LeaseStoreSQLite

/// `lessor bench …`: benchmarks that print their numbers. Nothing here runs in tests.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure Lessor's throughput and print the numbers.",
        subcommands: [StoreBench.self, TopBench.self])

    struct StoreBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "store",
            abstract: "lookup+update operations per second for each lease-store provider.",
            discussion: """
                Each cell preloads the store with N leases, then C concurrent tasks renew random \
                clients (transact: lookup, extend the expiry, update) for the given duration.
                """)

        @Option(help: "Providers: memory, sqlite (synchronous=FULL), sqlite-normal.")
        var providers = "memory,sqlite,sqlite-normal"
        @Option(help: "Concurrent clients (comma-separated).") var concurrency = "1,8,64"
        @Option(help: "Stored leases before measuring (comma-separated).") var leases = "1000,1000000"
        @Option(help: "Seconds measured per cell.") var seconds = 3.0
        @Option(help: "Directory for SQLite files (default: a temporary directory).") var directory: String?

        func run() async throws {
            let providers = providers.split(separator: ",").map(String.init)
            let concurrencies = try parseList(concurrency, "--concurrency")
            let sizes = try parseList(leases, "--leases")
            let directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("lessor-bench-\(getpid())").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { if self.directory == nil { try? FileManager.default.removeItem(atPath: directory) } }

            print("lessor bench store: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(seconds) s per cell")
            print(pad("provider", 14) + pad("leases", 10) + pad("tasks", 7) + pad("ops/s", 11) + pad("p50 µs", 10) + "p99 µs")
            for provider in providers {
                for size in sizes {
                    let bench = try await StoreBenchmark.prepare(provider: provider, leases: size, directory: directory)
                    for tasks in concurrencies {
                        let result = try await bench.measure(tasks: tasks, seconds: seconds)
                        print(
                            pad(provider, 14) + pad(String(size), 10) + pad(String(tasks), 7)
                                + pad(String(format: "%.0f", result.opsPerSecond), 11)
                                + pad(String(format: "%.0f", result.p50Micros), 10) + String(format: "%.0f", result.p99Micros))
                    }
                    await bench.close()
                }
            }
        }

        private func parseList(_ text: String, _ option: String) throws -> [Int] {
            try text.split(separator: ",").map {
                guard let value = Int($0.trimmingCharacters(in: .whitespaces)), value > 0 else {
                    throw ValidationError("\(option): '\($0)' is not a positive whole number")
                }
                return value
            }
        }

        private func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
        }
    }
}
