import Dispatch
import Foundation
import GRDB
public import LeaseStore
import Synchronization

/// The embedded default provider: one SQLite file in WAL mode, written through GRDB.
///
/// Durability: with `synchronous: .full` (the default) an `update` returns only after its
/// transaction is fsynced. Group commit keeps that affordable: updates that arrive while a
/// transaction is being written queue up and go into the next transaction together, each in
/// its own savepoint, so one failing update never takes the others down and throughput is
/// not one fsync per lease. Reads run concurrently on WAL snapshots.
///
/// One process owns a database file at a time (the token ledger and change stream are
/// in-process); several servers share leases through the PostgreSQL provider instead.
public final class SQLiteLeaseStore: LeaseStore, Sendable {
    public enum Synchronous: String, Sendable, CaseIterable {
        /// fsync at every commit: a returned update survives power loss.
        case full = "FULL"
        /// fsync at checkpoints only: a returned update survives a process crash, not power loss.
        case normal = "NORMAL"
        /// Never fsync. For benchmarks and throwaway demos.
        case off = "OFF"
    }

    public struct Configuration: Sendable {
        public var path: String
        public var synchronous: Synchronous
        public var options: LeaseStoreOptions
        /// Most updates one group commit takes.
        public var maxBatch: Int
        /// How long a commit waits for company when fewer than `gatherBelow` updates are queued:
        /// at moderate load it turns one fsync per update into one per handful, for at most this
        /// much added latency. Zero commits at once.
        public var commitDelay: Duration
        public var gatherBelow: Int
        /// Clients whose leases are kept in memory to answer lookups without SQLite (0: none).
        public var cacheCapacity: Int
        /// Concurrent readers.
        public var maxReaders: Int

        public init(
            path: String, synchronous: Synchronous = .full, options: LeaseStoreOptions = LeaseStoreOptions(),
            maxBatch: Int = 1024, maxReaders: Int = 4, commitDelay: Duration = .microseconds(1500), gatherBelow: Int = 8,
            cacheCapacity: Int = 262_144
        ) {
            self.path = path
            self.synchronous = synchronous
            self.options = options
            self.maxBatch = maxBatch
            self.commitDelay = commitDelay
            self.gatherBelow = gatherBelow
            self.cacheCapacity = cacheCapacity
            self.maxReaders = maxReaders
        }
    }

    public let providerName = "sqlite"
    public let configuration: Configuration
    private let database: DatabasePool
    private let ledger: TokenLedger
    private let broadcaster: ChangeBroadcaster
    private let handlers = ExpiryHandlers()
    private let committer: GroupCommitter
    private let cache: ClientCache

    /// Opens (creating if needed) and migrates the database. Throws `unavailable` for a file
    /// that is not a Lessor database, has a newer schema, or cannot be opened.
    public init(_ configuration: Configuration) throws(LeaseStoreError) {
        self.configuration = configuration
        var config = GRDB.Configuration()
        config.maximumReaderCount = max(1, configuration.maxReaders)
        config.busyMode = .timeout(5)
        do {
            database = try DatabasePool(path: configuration.path, configuration: config)
            try database.writeWithoutTransaction { db in
                // After GRDB's WAL setup, which sets NORMAL on the writing connection.
                try db.execute(sql: "PRAGMA synchronous = \(configuration.synchronous.rawValue)")
                let objects = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
                let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                if objects > 0, applicationID != SQLiteSchema.applicationID {
                    throw LeaseStoreError.unavailable("\(configuration.path) is an SQLite database but not a Lessor lease database")
                }
                let migrator = SQLiteSchema.migrator
                if try migrator.hasBeenSuperseded(db) {
                    throw LeaseStoreError.unavailable(
                        "\(configuration.path) has a newer schema than this Lessor understands; upgrade Lessor")
                }
            }
            try SQLiteSchema.migrator.migrate(database)
        } catch let error as LeaseStoreError {
            throw error
        } catch {
            throw .unavailable("cannot open lease database \(configuration.path): \(SQLiteLeaseStore.describe(error))")
        }
        ledger = TokenLedger(timeout: configuration.options.tokenTimeout, clock: configuration.options.clock)
        let broadcaster = ChangeBroadcaster()
        let cache = ClientCache(capacity: configuration.cacheCapacity)
        self.broadcaster = broadcaster
        self.cache = cache
        committer = GroupCommitter(
            database: database, maxBatch: configuration.maxBatch, commitDelay: configuration.commitDelay,
            gatherBelow: configuration.gatherBelow,
            committed: { job in
                if let client = job.client { cache.store(client, version: job.version, leases: job.leases) }
                for client in job.touched { cache.invalidate(client) }
                broadcaster.publish(job.changes)
            })
    }

    // MARK: Reads

    public func lookup(_ client: ClientID) async throws(LeaseStoreError) -> LeaseLookup {
        let (version, leases) = try await clientLeases(client)
        return LeaseLookup(leases: leases, token: ledger.issue(for: client, version: version))
    }

    public func read(_ client: ClientID) async throws(LeaseStoreError) -> [Lease] {
        try await clientLeases(client).leases
    }

    private func clientLeases(_ client: ClientID) async throws(LeaseStoreError) -> (version: UInt64, leases: [Lease]) {
        if let cached = cache.get(client) { return cached }
        let (version, leases) = try await read { db in try SQLiteRows.clientLeases(db, client) }
        // Absent clients are cached too (version 0): a new client's DISCOVER and REQUEST then
        // read SQLite once, not twice; its first commit replaces the entry.
        cache.fill(client, version: version, leases: leases)
        return (version, leases)
    }

    public func holder(of resource: LeaseResource) async throws(LeaseStoreError) -> LeaseRecord? {
        try await read { db in try SQLiteRows.holder(db, resource) }
    }

    public func page(after cursor: LeaseCursor?, limit: Int, filter: LeaseFilter) async throws(LeaseStoreError) -> LeasePage {
        guard limit > 0 else { throw .invalidArgument("page limit must be positive, got \(limit)") }
        let records = try await read { db in try SQLiteRows.page(db, after: cursor, limit: limit, filter: filter) }
        return LeasePage(records: records, next: records.count == limit ? records.last.map(LeaseCursor.init(after:)) : nil)
    }

    // MARK: Writes

    @discardableResult
    public func update(_ client: ClientID, leases: [Lease], token: LeaseToken, writer: String) async throws(LeaseStoreError)
        -> [Lease]
    {
        try ledger.check(token, for: client)
        let now = configuration.options.clock.now()
        let outcome = await committer.submit { db, sequence throws(LeaseStoreError) in
            try SQLiteRows.update(db, client: client, leases: leases, expectedVersion: token.version, writer: writer,
                                  sequence: &sequence, now: now)
        }
        switch outcome {
        case .success(let result):
            ledger.consume(token)
            return result.leases
        case .failure(let error):
            if error.kind != .transport { ledger.consume(token) }
            if error.kind == .conflict { cache.invalidate(client) }  // whatever was cached is suspect
            throw error
        }
    }

    public func releaseToken(_ token: LeaseToken) async { ledger.consume(token) }

    public func changes(bufferSize: Int) -> LeaseChangeStream { broadcaster.subscribe(bufferSize: bufferSize) }

    public func onExpiry(owner: String, _ handler: @escaping @Sendable (ExpiryNotice) async -> Void) {
        handlers.set(owner: owner, handler)
    }

    public func reclaimExpired(limit: Int, timeBudget: Duration) async throws(LeaseStoreError) -> ReclaimReport {
        let now = configuration.options.clock.now()
        let hold = configuration.options.expiredHoldTime
        let outcome = await committer.submit { db, sequence throws(LeaseStoreError) in
            try SQLiteRows.reclaim(db, now: now, hold: hold, limit: limit, timeBudget: timeBudget, sequence: &sequence)
        }
        let result = try outcome.get()
        await handlers.deliver(result.notices)
        return result.report
    }

    /// The `synchronous` level SQLite reports on the writing connection (0 off, 1 normal,
    /// 2 full, 3 extra): what durability the file really has, for status and tests.
    public func effectiveSynchronous() throws(LeaseStoreError) -> Int {
        do {
            return try database.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        } catch {
            throw SQLiteLeaseStore.map(error)
        }
    }

    /// Waits for queued commits, ends change streams and closes the file.
    public func close() async {
        await committer.drain()
        broadcaster.finish()
        try? database.close()
    }

    // MARK: Plumbing

    /// Reads run synchronously on the calling thread: a point read takes microseconds, and
    /// hopping to a reader queue and back costs more than the read itself.
    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(LeaseStoreError) -> T {
        do {
            return try readNow(body)
        } catch let error as LeaseStoreError {
            throw error
        } catch {
            throw SQLiteLeaseStore.map(error)
        }
    }

    /// Without a transaction: every read here is a single statement, so it sees one snapshot
    /// anyway, and BEGIN/COMMIT around it would double its cost.
    private func readNow<T>(_ body: (Database) throws -> T) throws -> T { try database.unsafeRead(body) }

    static func map(_ error: any Error) -> LeaseStoreError {
        guard let error = error as? DatabaseError else {
            if error is CancellationError { return .transport("cancelled") }
            return .unavailable(describe(error))
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_PROTOCOL, .SQLITE_INTERRUPT:
            return .transport("SQLite: \(describe(error))")
        case .SQLITE_CONSTRAINT:
            return .conflict("SQLite constraint: \(describe(error))")
        default:
            return .unavailable("SQLite: \(describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.description }
        return String(describing: error)
    }
}

/// The result of one job inside a group commit.
struct JobResult: Sendable {
    var leases: [Lease] = []
    /// For the cache: the client written and its version after the job (update jobs).
    var client: ClientID?
    var version: UInt64 = 0
    /// For the cache: clients whose leases the job changed some other way (expiry).
    var touched: [ClientID] = []
    var changes: [LeaseChange] = []
    var notices: [ExpiryNotice] = []
    var report = ReclaimReport()
}

/// Batches write jobs into shared transactions. While one transaction is being written and
/// synced, new jobs queue; the next transaction takes all of them (up to `maxBatch`). Each job
/// runs in a savepoint, so its failure rolls back only its own writes.
final class GroupCommitter: Sendable {
    typealias Job = @Sendable (Database, inout UInt64) throws(LeaseStoreError) -> JobResult

    private struct Pending {
        var job: Job
        var continuation: CheckedContinuation<Result<JobResult, LeaseStoreError>, Never>
    }

    private struct State {
        var queue: [Pending] = []
        var flushing = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let database: DatabasePool
    private let maxBatch: Int
    private let state = Mutex(State())
    /// The commit loop runs here and writes synchronously: no task hops per batch.
    private let queue = DispatchQueue(label: "lessor.sqlite.group-commit")
    /// Told of each committed job, in commit order (cache, change stream).
    private let committed: @Sendable (JobResult) -> Void

    private let commitDelay: Duration
    private let gatherBelow: Int

    init(database: DatabasePool, maxBatch: Int, commitDelay: Duration, gatherBelow: Int,
         committed: @escaping @Sendable (JobResult) -> Void) {
        self.database = database
        self.maxBatch = max(1, maxBatch)
        self.commitDelay = commitDelay
        self.gatherBelow = gatherBelow
        self.committed = committed
    }

    func submit(_ job: @escaping Job) async -> Result<JobResult, LeaseStoreError> {
        await withCheckedContinuation { continuation in
            let startFlush = state.withLock { state in
                state.queue.append(Pending(job: job, continuation: continuation))
                if state.flushing { return false }
                state.flushing = true
                return true
            }
            if startFlush { queue.async { self.flushLoop() } }
        }
    }

    /// Returns once the queue is empty and no transaction is in flight.
    func drain() async {
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state in
                if !state.flushing && state.queue.isEmpty { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    private func flushLoop() {
        var gathered = false
        while true {
            // A few updates queued during the last commit mean steady traffic: wait briefly for
            // more. None queued means the load stopped: nothing to wait for.
            let queued = state.withLock { $0.queue.count }
            if gathered, commitDelay > .zero, queued > 0, queued < gatherBelow {
                let (seconds, attoseconds) = commitDelay.components
                usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
            }
            gathered = true
            let (batch, idleWaiters) = state.withLock { state -> ([Pending], [CheckedContinuation<Void, Never>]) in
                if state.queue.isEmpty {
                    state.flushing = false
                    defer { state.idleWaiters.removeAll() }
                    return ([], state.idleWaiters)
                }
                let count = min(maxBatch, state.queue.count)
                let batch = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return (batch, [])
            }
            if batch.isEmpty {
                for waiter in idleWaiters { waiter.resume() }
                return
            }
            let jobs = batch.map { $0.job }
            let results: [Result<JobResult, LeaseStoreError>]
            do {
                results = try database.write { db in
                    // Cached statements throughout: GRDB's `execute(sql:)` and `inSavepoint` parse
                    // and authorise SQL on every call, which dominated the commit path.
                    var sequence = try UInt64.fetchOne(
                        db.cachedStatement(sql: "SELECT value FROM lessor_meta WHERE key = 'sequence'")) ?? 0
                    let start = sequence
                    var results: [Result<JobResult, LeaseStoreError>] = []
                    results.reserveCapacity(jobs.count)
                    if jobs.count == 1, let job = jobs.first {
                        // Alone in its transaction, a job needs no savepoint: if it fails, the
                        // whole transaction is rolled back (SoleJobFailed below) — the same thing.
                        do {
                            results.append(.success(try job(db, &sequence)))
                        } catch {
                            throw SoleJobFailed(error: error as? LeaseStoreError ?? SQLiteLeaseStore.map(error))
                        }
                    } else {
                        let savepoint = try db.cachedStatement(sql: "SAVEPOINT job")
                        let release = try db.cachedStatement(sql: "RELEASE job")
                        let rollback = try db.cachedStatement(sql: "ROLLBACK TO job")
                        for job in jobs {
                            var jobSequence = sequence
                            try savepoint.execute()
                            let outcome: Result<JobResult, LeaseStoreError>
                            do {
                                outcome = .success(try job(db, &jobSequence))
                            } catch {
                                outcome = .failure(error as? LeaseStoreError ?? SQLiteLeaseStore.map(error))
                            }
                            if case .success = outcome {
                                sequence = jobSequence
                            } else {
                                try rollback.execute()  // only this job's writes are undone
                            }
                            try release.execute()
                            results.append(outcome)
                        }
                    }
                    if sequence != start {
                        try db.cachedStatement(sql: "UPDATE lessor_meta SET value = ? WHERE key = 'sequence'").execute(arguments: [sequence])
                    }
                    return results
                }
            } catch let failed as SoleJobFailed {
                results = [.failure(failed.error)]
            } catch {
                // The shared transaction did not commit: nothing of this batch is stored.
                let failure = SQLiteLeaseStore.map(error)
                results = Array(repeating: .failure(failure), count: batch.count)
            }
            for (pending, result) in zip(batch, results) {
                if case .success(let job) = result { committed(job) }
                pending.continuation.resume(returning: result)
            }
        }
    }
}

/// Carries a lone job's own error out of its rolled-back transaction.
private struct SoleJobFailed: Error {
    var error: LeaseStoreError
}
