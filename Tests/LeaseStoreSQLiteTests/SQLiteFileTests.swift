import DHCPWire
import Foundation
import LeaseStore
import LeaseStoreSQLite
import Testing

@Suite("SQLite file handling")
struct SQLiteFileTests {
    let clock = ManualLeaseClock()

    func open(_ path: String) throws -> SQLiteLeaseStore {
        try SQLiteLeaseStore(.init(path: path, options: LeaseStoreOptions(clock: clock)))
    }

    func lease(_ n: UInt8) -> Lease {
        Lease.v4(IPv4Address(192, 0, 2, n), expiresAt: clock.now() + 3600, owner: "range", hostname: "h\(n)")
    }

    func client(_ n: UInt8) -> ClientID { .hardware(HardwareAddress(bytes: [2, 0, 0, 0, 0, n])!) }

    /// Commits one lease for each of 40 clients into a new file and closes it.
    func writeFortyClients(_ path: String) async throws -> [ClientID: [Lease]] {
        var written: [ClientID: [Lease]] = [:]
        let store = try open(path)
        for n in 1...40 as ClosedRange<UInt8> {
            let lookup = try await store.lookup(client(n))
            written[client(n)] = try await store.update(client(n), leases: [lease(n)], token: lookup.token, writer: "range")
        }
        await store.close()
        return written
    }

    @Test func reopeningGivesBackEveryCommittedLease() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("leases.sqlite")
        let written = try await writeFortyClients(path)
        let reopened = try open(path)
        for (client, leases) in written {
            #expect(try await reopened.read(client) == leases)
        }
        #expect(try await reopened.all().count == 40)
        // Versions keep increasing across a reopen: no token or change from before can collide.
        let maxBefore = written.values.flatMap { $0 }.map(\.version).max() ?? 0
        let lookup = try await reopened.lookup(client(1))
        let after = try await reopened.update(client(1), leases: [lease(99)], token: lookup.token, writer: "range")
        #expect(after[0].version > maxBefore)
        await reopened.close()
    }

    /// At open the whole database is loaded into memory when it fits the cache (lookups then
    /// never read SQLite), and read on demand when it does not: both must answer the same.
    @Test(arguments: [1_000, 10])
    func reopeningWithACacheLargerOrSmallerThanTheDatabase(_ capacity: Int) async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("leases.sqlite")
        let written = try await writeFortyClients(path)
        let reopened = try SQLiteLeaseStore(.init(path: path, options: LeaseStoreOptions(clock: clock), cacheCapacity: capacity))
        for (client, leases) in written {
            #expect(try await reopened.read(client) == leases)
        }
        #expect(try await reopened.read(client(200)).isEmpty)
        // A stale token is refused and a fresh one works, for a client loaded at open.
        let stale = try await reopened.lookup(client(7))
        let fresh = try await reopened.lookup(client(7))
        _ = try await reopened.update(client(7), leases: [lease(107)], token: fresh.token, writer: "range")
        let refused = await #expect(throws: LeaseStoreError.self) {
            try await reopened.update(client(7), leases: [lease(108)], token: stale.token, writer: "range")
        }
        #expect(refused?.kind == .conflict)
        // An address a loaded client holds cannot go to another client.
        let other = try await reopened.lookup(client(201))
        let taken = await #expect(throws: LeaseStoreError.self) {
            try await reopened.update(client(201), leases: [lease(9)], token: other.token, writer: "range")
        }
        #expect(taken?.kind == .addressInUse(.ipv4(IPv4Address(192, 0, 2, 9))))
        await reopened.close()
    }

    @Test(arguments: [(SQLiteLeaseStore.Synchronous.full, 2), (.normal, 1), (.off, 0)])
    func synchronousSettingIsWhatTheWriterUses(_ setting: SQLiteLeaseStore.Synchronous, _ level: Int) async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteLeaseStore(.init(path: directory.path("leases.sqlite"), synchronous: setting))
        #expect(try store.effectiveSynchronous() == level)
        await store.close()
    }

    @Test func aFileThatIsNotSQLiteIsUnavailable() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("garbage.sqlite")
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: LeaseStoreError.self) { try open(path) }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains(path) == true)
    }

    @Test func anotherApplicationsDatabaseIsUnavailable() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("other.sqlite")
        try runSQLite(path, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hello');")
        let error = #expect(throws: LeaseStoreError.self) { try open(path) }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("not a Lessor lease database") == true)
        // And it was not written into.
        #expect(try runSQLite(path, "SELECT count(*) FROM sqlite_master;") == "1")
    }

    @Test func aNewerSchemaIsUnavailable() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("leases.sqlite")
        await (try open(path)).close()
        try runSQLite(path, "INSERT INTO grdb_migrations (identifier) VALUES ('v2: from the future');")
        let error = #expect(throws: LeaseStoreError.self) { try open(path) }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("newer schema") == true)
    }

    @Test func theUniqueIndexHoldsEvenAgainstDirectWrites() async throws {
        // The database itself refuses a second holder: invariant 1 is an index, not a hope.
        let directory = try TemporaryDirectory()
        let path = directory.path("leases.sqlite")
        let store = try open(path)
        let lookup = try await store.lookup(client(1))
        try await store.update(client(1), leases: [lease(1)], token: lookup.token, writer: "range")
        await store.close()
        #expect(throws: SQLiteCommandError.self) {
            try runSQLite(path, "INSERT INTO lease_resources (resource, client_key, kind, iaid) VALUES (X'04C0000201', X'01', 0, 0);")
        }
    }
}

struct SQLiteCommandError: Error, CustomStringConvertible {
    var description: String
}

/// Runs the sqlite3 shell (Debian's `sqlite3` package) on a file; returns its trimmed output.
@discardableResult
func runSQLite(_ path: String, _ sql: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [path, sql]
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    process.waitUntilExit()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    guard process.terminationStatus == 0 else {
        throw SQLiteCommandError(description: String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
}
