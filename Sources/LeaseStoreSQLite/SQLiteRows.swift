import Foundation
import GRDB
import LeaseStore

/// Row-level reads and writes of the SQLite provider. Everything here runs inside a GRDB
/// access block (a read snapshot or the group commit's transaction).
enum SQLiteRows {
    static func decode(_ bytes: some Collection<UInt8>) throws(LeaseStoreError) -> Lease {
        do { return try LeaseBinaryCodec.decode(bytes) } catch {
            throw .unavailable("a stored lease cannot be decoded (corrupt database?): \(error)")
        }
    }

    /// The client's version and leases in one statement, so they are from one snapshot even
    /// when read outside a transaction.
    static func clientLeases(_ db: Database, _ client: ClientID) throws -> ClientLeases {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: clientLeasesSQL), arguments: [Data(client.storageKey)])
        var state = ClientLeases(version: 0, leases: [])
        while let row = try rows.next() {
            state.version = row[0]
            if let body: Data = row[1] { state.leases.append(try decode(body)) }
        }
        return state
    }

    static let clientLeasesSQL = """
        SELECT c.version, l.body FROM clients c LEFT JOIN leases l ON l.client_key = c.key
        WHERE c.key = ? ORDER BY l.kind, l.iaid
        """

    /// Every client with its leases, for the complete cache at open; nil when there are more
    /// than `limit` clients.
    static func allClients(_ db: Database, limit: Int) throws -> [ClientID: ClientLeases]? {
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM clients") ?? 0
        guard count <= limit else { return nil }
        var clients: [ClientID: ClientLeases] = [:]
        clients.reserveCapacity(count)
        let rows = try Row.fetchCursor(
            db, sql: "SELECT c.key, c.version, l.body FROM clients c JOIN leases l ON l.client_key = c.key ORDER BY c.key, l.kind, l.iaid")
        while let row = try rows.next() {
            let key: Data = row[0]
            guard let client = ClientID(storageKey: key) else {
                throw LeaseStoreError.unavailable("a stored client key cannot be decoded (corrupt database?)")
            }
            let body: Data = row[2]
            clients[client, default: ClientLeases(version: row[1], leases: [])].leases.append(try decode(body))
        }
        return clients
    }

    static func holder(_ db: Database, _ resource: LeaseResource) throws -> LeaseRecord? {
        guard let row = try Row.fetchOne(
            db,
            sql: """
                SELECT l.client_key, l.body FROM lease_resources r
                JOIN leases l ON l.client_key = r.client_key AND l.kind = r.kind AND l.iaid = r.iaid
                WHERE r.resource = ?
                """,
            arguments: [Data(resource.storageKey)])
        else { return nil }
        return try record(row)
    }

    static func page(_ db: Database, after cursor: LeaseCursor?, limit: Int, filter: LeaseFilter) throws -> [LeaseRecord] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if let cursor {
            clauses.append("(client_key, kind, iaid) > (?, ?, ?)")
            arguments += [Data(cursor.clientKey), Int(cursor.kind), Int64(cursor.iaid)]
        }
        if let states = filter.states {
            clauses.append("state IN (\(states.map { String($0.rawValue) }.joined(separator: ",")))")
        }
        if let kinds = filter.kinds {
            clauses.append("kind IN (\(kinds.map { String($0.rawValue) }.joined(separator: ",")))")
        }
        if let owner = filter.owner {
            clauses.append("owner = ?")
            arguments += [owner]
        }
        if let pool = filter.pool {
            clauses.append("pool = ?")
            arguments += [pool]
        }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        arguments += [limit]
        let rows = try Row.fetchAll(
            db, sql: "SELECT client_key, body FROM leases \(whereClause) ORDER BY client_key, kind, iaid LIMIT ?",
            arguments: arguments)
        return try rows.map(record)
    }

    private static func record(_ row: Row) throws -> LeaseRecord {
        let key: Data = row["client_key"]
        guard let client = ClientID(storageKey: key) else {
            throw LeaseStoreError.unavailable("a stored client key cannot be decoded (corrupt database?)")
        }
        let body: Data = row["body"]
        return LeaseRecord(client: client, lease: try decode(body))
    }

    // MARK: Writes (inside the group commit's transaction)

    static func update(
        _ batch: WriteBatch, client: ClientID, leases: [Lease], expectedVersion: UInt64, writer: String,
        sequence: inout UInt64, now: Date
    ) throws(LeaseStoreError) -> JobResult {
        try guarded {
            let current = try batch.current(client)
            guard current.version == expectedVersion else {
                throw LeaseStoreError.conflict("\(client) changed since the lookup")
            }
            let plan = try CommitPlan.update(
                client: client, old: current.leases, new: leases, writer: writer, version: sequence + 1, now: now)
            if plan.isEmpty { return JobResult(leases: current.leases) }
            let key = client.storageKey
            let holder = batch.statements.resourceHolder
            for resource in plan.claimed {
                if let holding = try holder.bind(.blob(resource.storageKey)).firstBlob(), holding != key {
                    throw LeaseStoreError.addressInUse(resource)
                }
            }
            sequence += 1
            try apply(batch.statements, plan: plan, client: client, version: sequence)
            return JobResult(
                leases: plan.leases, written: [(client, ClientLeases(version: sequence, leases: plan.leases))],
                changes: plan.changes)
        }
    }

    static func reclaim(
        _ batch: WriteBatch, now: Date, hold: Duration, limit: Int, timeBudget: Duration, sequence: inout UInt64
    ) throws(LeaseStoreError) -> JobResult {
        try guarded {
            let db = batch.db
            let started = ContinuousClock.now
            var result = JobResult()
            let chunk = 64
            while true {
                let done = result.report.expired + result.report.deleted
                if done >= limit || ContinuousClock.now - started > timeBudget {
                    result.report.moreDue = try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM leases WHERE expires_at <= ?)",
                        arguments: [now.timeIntervalSinceReferenceDate]) ?? false
                    return result
                }
                let rows = try Row.fetchAll(
                    db, sql: "SELECT client_key, kind, iaid FROM leases WHERE expires_at <= ? ORDER BY expires_at LIMIT ?",
                    arguments: [now.timeIntervalSinceReferenceDate, min(chunk, limit - done)])
                if rows.isEmpty { return result }
                var due: [(client: ClientID, keys: Set<LeaseKey>)] = []
                for row in rows {
                    let clientKey: Data = row["client_key"]
                    guard let client = ClientID(storageKey: clientKey), let kind = LeaseKind(rawValue: row["kind"]) else {
                        throw LeaseStoreError.unavailable("a stored lease key cannot be decoded (corrupt database?)")
                    }
                    let key = LeaseKey(kind: kind, iaid: row["iaid"])
                    if let index = due.firstIndex(where: { $0.client == client }) {
                        due[index].keys.insert(key)
                    } else {
                        due.append((client, [key]))
                    }
                }
                let before = result.changes.count
                for (client, keys) in due {
                    // Read back from SQLite, not the batch view: this job's own earlier chunks
                    // wrote rows the view does not know yet.
                    let current = try batch.statements.readClient(client)
                    let (plan, notices) = CommitPlan.expiry(
                        client: client, old: current.leases, due: keys, hold: hold, version: sequence + 1, now: now)
                    guard !plan.isEmpty else { continue }
                    sequence += 1
                    try apply(batch.statements, plan: plan, client: client, version: sequence)
                    result.written.append((client, ClientLeases(version: sequence, leases: plan.leases)))
                    result.changes += plan.changes
                    result.notices += notices
                    for notice in notices {
                        if notice.outcome == .expired { result.report.expired += 1 } else { result.report.deleted += 1 }
                    }
                }
                // Rows the index called due but the exact check did not: stop rather than spin.
                if result.changes.count == before { return result }
            }
        }
    }

    /// Writes a planned commit: lease rows, their resource rows (all removals first, then
    /// insertions, so an element may move between leases of one client), and the client's
    /// version. A renewal that keeps its elements leaves the resource rows alone.
    private static func apply(_ statements: WriterStatements, plan: CommitPlan, client: ClientID, version: UInt64) throws {
        let key = client.storageKey
        var reindex: [Lease] = []
        for change in plan.changes {
            let lease = change.lease
            switch change.kind {
            case .created:
                reindex.append(lease)
            case .updated, .expired:
                if let previous = change.previous, Set(previous.resources) != Set(lease.resources) {
                    try statements.deleteResources.bind(.blob(key), .integer(Int64(lease.kind.rawValue)), .integer(Int64(lease.iaid))).run()
                    reindex.append(lease)
                }
            case .deleted:
                try statements.deleteResources.bind(.blob(key), .integer(Int64(lease.kind.rawValue)), .integer(Int64(lease.iaid))).run()
                try statements.deleteLease.bind(.blob(key), .integer(Int64(lease.kind.rawValue)), .integer(Int64(lease.iaid))).run()
            }
        }
        if plan.leases.isEmpty {
            try statements.deleteClient.bind(.blob(key)).run()
            return
        }
        try statements.upsertClient.bind(.blob(key), .integer(Int64(bitPattern: version))).run()
        for change in plan.changes where change.kind != .deleted {
            let lease = change.lease
            try statements.upsertLease.bind(
                .blob(key), .integer(Int64(lease.kind.rawValue)), .integer(Int64(lease.iaid)), .integer(Int64(lease.state.rawValue)),
                .real(lease.expiresAt.timeIntervalSinceReferenceDate), .text(lease.owner), .text(lease.pool),
                .integer(Int64(bitPattern: lease.version)), .blob(LeaseBinaryCodec.encode(lease))
            ).run()
        }
        for lease in reindex {
            for resource in lease.resources {
                try statements.insertResource.bind(
                    .blob(resource.storageKey), .blob(key), .integer(Int64(lease.kind.rawValue)), .integer(Int64(lease.iaid))
                ).run()
            }
        }
    }

    /// Runs `body`, passing `LeaseStoreError`s through and mapping SQLite's errors.
    private static func guarded<T>(_ body: () throws -> T) throws(LeaseStoreError) -> T {
        do {
            return try body()
        } catch let error as LeaseStoreError {
            throw error
        } catch {
            throw SQLiteLeaseStore.map(error)
        }
    }
}
