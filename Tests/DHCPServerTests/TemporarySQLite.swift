import Foundation
import LeaseStore
import LeaseStoreSQLite

/// A SQLite lease store in a temporary file, which a test can close under the server (as a dead
/// disk would) to check that a store failure means no reply. The files go with the object.
final class TemporarySQLite {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lessor-\(UUID().uuidString).sqlite").path
    private(set) var store: SQLiteLeaseStore?

    func make(_ options: LeaseStoreOptions) throws -> any LeaseStore {
        let store = try SQLiteLeaseStore(.init(path: path, options: options))
        self.store = store
        return store
    }

    deinit {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
