import GRDB

/// The schema and its migrations. A Lessor database is marked with an application id, so a
/// file that is some other SQLite database is refused instead of being written into.
enum SQLiteSchema {
    /// "LSRL" in ASCII.
    static let applicationID: Int32 = 0x4C53_524C

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: clients, leases, resources") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(
                sql: """
                    CREATE TABLE lessor_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                    INSERT INTO lessor_meta (key, value) VALUES ('sequence', 0);
                    -- One row per client that holds at least one lease; version is the sequence number
                    -- of the last commit that touched it (the compare-and-swap of update).
                    CREATE TABLE clients (
                        key BLOB PRIMARY KEY,
                        version INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    -- One row per lease (client, kind, IAID). body is the whole lease (LeaseBinaryCodec); the other
                    -- columns are copies for indexes and filters.
                    CREATE TABLE leases (
                        client_key BLOB NOT NULL REFERENCES clients(key),
                        kind INTEGER NOT NULL,
                        iaid INTEGER NOT NULL,
                        state INTEGER NOT NULL,
                        expires_at REAL NOT NULL, -- seconds since 2001-01-01 UTC (Foundation reference date)
                        owner TEXT NOT NULL,
                        pool TEXT,
                        version INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        PRIMARY KEY (client_key, kind, iaid)
                    ) WITHOUT ROWID;
                    CREATE INDEX leases_by_expiry ON leases(expires_at);
                    -- The unique index that keeps one holder per address or prefix (invariant 1).
                    CREATE TABLE lease_resources (
                        resource BLOB PRIMARY KEY,
                        client_key BLOB NOT NULL,
                        kind INTEGER NOT NULL,
                        iaid INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX lease_resources_by_lease ON lease_resources(client_key, kind, iaid);
                    """)
        }
        return migrator
    }
}
