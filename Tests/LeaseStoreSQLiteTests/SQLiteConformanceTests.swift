import Foundation
import LeaseStore
import LeaseStoreConformance
import LeaseStoreSQLite
import Testing

/// A fresh directory per test, removed at the end.
struct TemporaryDirectory: ~Copyable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("lessor-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

@Suite("SQLite provider conformance")
struct SQLiteConformanceTests {
    @Test(arguments: ConformanceSuite.cases)
    func conformance(_ check: ConformanceCase) async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("leases.sqlite")
        try await check.run { options in
            try SQLiteLeaseStore(.init(path: path, options: options))
        }
    }

    /// The whole suite again without the client cache, with synchronous=OFF, tiny batches and
    /// no commit delay: neither the cache nor group commit boundaries may change behaviour.
    @Test(arguments: ConformanceSuite.cases)
    func conformanceWithoutCacheAndWithSmallBatches(_ check: ConformanceCase) async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("leases.sqlite")
        try await check.run { options in
            try SQLiteLeaseStore(.init(path: path, synchronous: .off, options: options, maxBatch: 2, commitDelay: .zero, cacheCapacity: 0))
        }
    }

    /// A cache of two clients under many: constant eviction must not change behaviour either.
    @Test(arguments: ConformanceSuite.cases.filter { $0.name.contains("concurrent") || $0.name.contains("snapshot") || $0.name.contains("token") })
    func conformanceWithATinyCache(_ check: ConformanceCase) async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("leases.sqlite")
        try await check.run { options in
            try SQLiteLeaseStore(.init(path: path, options: options, cacheCapacity: 2))
        }
    }
}
