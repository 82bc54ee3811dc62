import DHCPWire
import Foundation
import LeaseStore
import LeaseStoreSQLite
import Synchronization

/// One provider preloaded with N leases, measured at several concurrencies.
struct StoreBenchmark {
    struct Result {
        var opsPerSecond: Double
        var p50Micros: Double
        var p99Micros: Double
    }

    let store: any LeaseStore
    let leases: Int
    let close: @Sendable () async -> Void

    static func client(_ n: Int) -> ClientID {
        .hardware(HardwareAddress(bytes: [2, 0, UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)])!)
    }

    /// 198.18.0.0/15 holds 131,072 addresses; past that the bench uses IPv6 IA_NA leases so
    /// 10^6 distinct elements fit.
    static func lease(_ n: Int, expiresAt: Date) -> Lease {
        if n < 131_072 {
            return Lease.v4(IPv4Address(198 << 24 | 18 << 16 | UInt32(n)), expiresAt: expiresAt, owner: "bench", pool: "bench")
        }
        return Lease(kind: .iaNA, iaid: 1, elements: [LeaseElement(.ipv6(IPv6Address(high: 0x2001_0db8_0000_0000, low: UInt64(n))))],
                     expiresAt: expiresAt, owner: "bench", pool: "bench6")
    }

    static func prepare(provider: String, leases: Int, directory: String) async throws -> StoreBenchmark {
        let options = LeaseStoreOptions(tokenTimeout: .seconds(30))
        let store: any LeaseStore
        let close: @Sendable () async -> Void
        switch provider {
        case "memory":
            store = MemoryLeaseStore(options: options)
            close = {}
        case "sqlite", "sqlite-normal":
            let path = "\(directory)/\(provider)-\(leases).sqlite"
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            // Preload without fsync, then measure on a reopened store with the real setting.
            let loader = try SQLiteLeaseStore(.init(path: path, synchronous: .off, options: options, maxBatch: 4096))
            try await preload(loader, leases: leases)
            await loader.close()
            let sqlite = try SQLiteLeaseStore(
                .init(path: path, synchronous: provider == "sqlite" ? .full : .normal, options: options))
            store = sqlite
            close = { await sqlite.close() }
        default:
            throw LeaseStoreError.invalidArgument("unknown provider \(provider) (memory, sqlite, sqlite-normal)")
        }
        if provider == "memory" { try await preload(store, leases: leases) }
        return StoreBenchmark(store: store, leases: leases, close: close)
    }

    private static func preload(_ store: any LeaseStore, leases: Int) async throws {
        let expiresAt = Date() + 86_400
        let workers = 64
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    for n in stride(from: worker, to: leases, by: workers) {
                        let lookup = try await store.lookup(client(n))
                        try await store.update(client(n), leases: [lease(n, expiresAt: expiresAt)], token: lookup.token, writer: "bench")
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// `tasks` concurrent renewals of random clients for `seconds`.
    func measure(tasks: Int, seconds: Double) async throws -> Result {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let store = store, leases = leases
        let started = ContinuousClock.now
        let samples = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    var latencies: [Duration] = []
                    var generator = SystemRandomNumberGenerator()
                    while ContinuousClock.now < deadline {
                        let n = Int.random(in: 0..<leases, using: &generator)
                        let begin = ContinuousClock.now
                        _ = try await store.transact(StoreBenchmark.client(n), writer: "bench") { tx in
                            guard var lease = tx.leases.first else { return }
                            lease.expiresAt = Date() + 3600
                            tx.leases[0] = lease
                        }
                        latencies.append(ContinuousClock.now - begin)
                    }
                    return latencies
                }
            }
            var all: [Duration] = []
            for try await latencies in group { all += latencies }
            return all
        }
        let elapsed = (ContinuousClock.now - started).timeInterval
        let sorted = samples.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))].timeInterval * 1e6
        }
        return Result(opsPerSecond: Double(samples.count) / elapsed, p50Micros: percentile(0.5), p99Micros: percentile(0.99))
    }
}
