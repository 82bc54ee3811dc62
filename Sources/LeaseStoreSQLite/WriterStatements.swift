import GRDB
import GRDBSQLite
import LeaseStore

/// One prepared statement on the writing connection, bound and stepped through the SQLite C
/// API. The commit path runs a handful of statements per lease; through GRDB each one cost a
/// statement-cache lookup keyed by its SQL text and an array of boxed arguments, which was
/// more than SQLite's own work. Errors are GRDB `DatabaseError`s, so they map like the rest.
final class RawStatement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer

    init(_ connection: OpaquePointer, _ sql: String) throws {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        handle = statement
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds `values` to the parameters in order. Blobs and text are copied by SQLite.
    @discardableResult
    func bind(_ values: RawValue...) -> RawStatement {
        sqlite3_reset(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .integer(let integer): sqlite3_bind_int64(handle, index, integer)
            case .real(let real): sqlite3_bind_double(handle, index, real)
            case .blob(let bytes):
                bytes.withUnsafeBytes { raw in
                    // An empty blob still binds as a blob, not NULL: SQLite wants a non-null pointer.
                    _ = sqlite3_bind_blob(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), rawTransient)
                }
            case .text(let text): sqlite3_bind_text(handle, index, text, -1, rawTransient)
            case .null: sqlite3_bind_null(handle, index)
            }
        }
        return self
    }

    /// Steps once: true when a row is available.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            let message = String(cString: sqlite3_errmsg(connection))
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
    }

    /// Runs to completion (statements without results).
    func run() throws {
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Back to the start: a statement left on a row would keep the transaction from committing.
    func reset() { sqlite3_reset(handle) }

    /// The first row's blob in column 0, or nil when there is no row.
    func firstBlob() throws -> [UInt8]? {
        defer { sqlite3_reset(handle) }
        return try step() ? blob(0) : nil
    }

    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let base = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }
}

enum RawValue {
    case integer(Int64)
    case real(Double)
    case blob([UInt8])
    case text(String)
    case null

    static func text(_ value: String?) -> RawValue { value.map(RawValue.text) ?? .null }
}

/// SQLITE_TRANSIENT: SQLite copies the bound bytes before the bind call returns.
private let rawTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The statements of the commit path, prepared once on the writing connection and used only
/// on the commit loop's thread. Released (finalized) before the database closes.
final class WriterStatements {
    let readSequence, writeSequence: RawStatement
    let savepoint, releaseSavepoint, rollbackToSavepoint: RawStatement
    let clientLeases, resourceHolder: RawStatement
    let deleteResources, deleteLease, deleteClient, upsertClient, upsertLease, insertResource: RawStatement

    init(_ db: Database) throws {
        guard let connection = db.sqliteConnection else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "the writing connection is closed")
        }
        func prepare(_ sql: String) throws -> RawStatement { try RawStatement(connection, sql) }
        readSequence = try prepare("SELECT value FROM lessor_meta WHERE key = 'sequence'")
        writeSequence = try prepare("UPDATE lessor_meta SET value = ? WHERE key = 'sequence'")
        savepoint = try prepare("SAVEPOINT job")
        releaseSavepoint = try prepare("RELEASE job")
        rollbackToSavepoint = try prepare("ROLLBACK TO job")
        clientLeases = try prepare(SQLiteRows.clientLeasesSQL)
        resourceHolder = try prepare("SELECT client_key FROM lease_resources WHERE resource = ?")
        deleteResources = try prepare("DELETE FROM lease_resources WHERE client_key = ? AND kind = ? AND iaid = ?")
        deleteLease = try prepare("DELETE FROM leases WHERE client_key = ? AND kind = ? AND iaid = ?")
        deleteClient = try prepare("DELETE FROM clients WHERE key = ?")
        upsertClient = try prepare(
            "INSERT INTO clients (key, version) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET version = excluded.version")
        upsertLease = try prepare(
            """
            INSERT OR REPLACE INTO leases (client_key, kind, iaid, state, expires_at, owner, pool, version, body)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertResource = try prepare("INSERT INTO lease_resources (resource, client_key, kind, iaid) VALUES (?, ?, ?, ?)")
    }

    /// The client's version and leases as the open transaction sees them.
    func readClient(_ client: ClientID) throws -> ClientLeases {
        clientLeases.bind(.blob(client.storageKey))
        var state = ClientLeases(version: 0, leases: [])
        while try clientLeases.step() {
            state.version = UInt64(bitPattern: clientLeases.integer(0))
            if !clientLeases.isNull(1) { state.leases.append(try SQLiteRows.decode(clientLeases.blob(1))) }
        }
        return state
    }
}
