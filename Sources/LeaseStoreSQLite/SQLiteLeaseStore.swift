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
    /// Set by `close`: every call then fails as unavailable instead of answering from memory.
    private let closed = Atomic<Bool>(false)

    /// Opens (creating if needed) and migrates the database. Throws `unavailable` for a file
    /// that is not a Lessor database, has a newer schema, or cannot be opened.
    public init(_ configuration: Configuration) throws(LeaseStoreError) {
        self.configuration = configuration
        let cache = ClientCache(capacity: configuration.cacheCapacity)
        self.cache = cache
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
            if configuration.cacheCapacity > 0, let clients = try database.read({ db in
                try SQLiteRows.allClients(db, limit: configuration.cacheCapacity)
            }) {
                cache.load(clients)
            }
        } catch let error as LeaseStoreError {
            throw error
        } catch {
            throw .unavailable("cannot open lease database \(configuration.path): \(SQLiteLeaseStore.describe(error))")
        }
        ledger = TokenLedger(timeout: configuration.options.tokenTimeout, clock: configuration.options.clock)
        let broadcaster = ChangeBroadcaster()
        self.broadcaster = broadcaster
        committer = GroupCommitter(
            database: database, cache: cache, maxBatch: configuration.maxBatch, commitDelay: configuration.commitDelay,
            gatherBelow: configuration.gatherBelow,
            committed: { job in
                for (client, state) in job.written { cache.store(client, state) }
                broadcaster.publish(job.changes)
            })
    }

    // MARK: Reads

    public func lookup(_ client: ClientID) async throws(LeaseStoreError) -> LeaseLookup {
        let state = try await clientLeases(client)
        return LeaseLookup(leases: state.leases, token: ledger.issue(for: client, version: state.version))
    }

    public func read(_ client: ClientID) async throws(LeaseStoreError) -> [Lease] {
        try await clientLeases(client).leases
    }

    private func clientLeases(_ client: ClientID) async throws(LeaseStoreError) -> ClientLeases {
        guard !closed.load(ordering: .relaxed) else { throw .unavailable("the lease database \(configuration.path) is closed") }
        // While commits fail (a dead disk, a full file system) lookups read SQLite too, so they
        // fail alike and the server goes quiet instead of offering what it cannot record.
        if !committer.isFailing, let cached = cache.get(client) { return cached }
        let state = try await read { db in try SQLiteRows.clientLeases(db, client) }
        // Absent clients are cached too (version 0): a new client's DISCOVER and REQUEST then
        // read SQLite once, not twice; its first commit replaces the entry.
        cache.fill(client, state)
        return state
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
        guard !closed.load(ordering: .relaxed) else { throw .unavailable("the lease database \(configuration.path) is closed") }
        try ledger.check(token, for: client)
        let now = configuration.options.clock.now()
        let outcome = await committer.submit { batch, sequence throws(LeaseStoreError) in
            try SQLiteRows.update(batch, client: client, leases: leases, expectedVersion: token.version, writer: writer,
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
        let outcome = await committer.submit { batch, sequence throws(LeaseStoreError) in
            try SQLiteRows.reclaim(batch, now: now, hold: hold, limit: limit, timeBudget: timeBudget, sequence: &sequence)
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
        closed.store(true, ordering: .relaxed)
        await committer.drain()
        committer.releaseStatements()
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
    /// An update's answer: the client's leases after it.
    var leases: [Lease] = []
    /// Every client the job wrote, as stored after it (for the cache and later jobs of the batch).
    var written: [(client: ClientID, state: ClientLeases)] = []
    var changes: [LeaseChange] = []
    var notices: [ExpiryNotice] = []
    var report = ReclaimReport()
}

/// What the jobs of one group commit share: the open transaction, its prepared statements,
/// and the clients earlier jobs of the batch wrote, so a later job compares against those
/// without reading its own rows back.
struct WriteBatch {
    let db: Database
    let statements: WriterStatements
    let cache: ClientCache
    fileprivate(set) var written: [ClientID: ClientLeases] = [:]

    /// The client as this transaction sees it: written earlier in the batch, else the complete
    /// cache (exact: it holds every commit), else SQLite.
    func current(_ client: ClientID) throws -> ClientLeases {
        if let state = written[client] { return state }
        if let state = cache.exact(client) { return state }
        return try statements.readClient(client)
    }
}

/// Batches write jobs into shared transactions. While one transaction is being written and
/// synced, new jobs queue; the next transaction takes all of them (up to `maxBatch`). Each job
/// runs in a savepoint, so its failure rolls back only its own writes.
final class GroupCommitter: Sendable {
    typealias Job = @Sendable (WriteBatch, inout UInt64) throws(LeaseStoreError) -> JobResult

    private struct Pending {
        var job: Job
        var continuation: CheckedContinuation<Result<JobResult, LeaseStoreError>, Never>
    }

    private struct State {
        var queue: [Pending] = []
        var flushing = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// State of the commit loop, touched only on `queue`.
    private final class WriterState: @unchecked Sendable {
        var statements: WriterStatements?
        /// The last committed sequence number; nil after a failed transaction (read it again).
        var sequence: UInt64?
    }

    private let database: DatabasePool
    private let cache: ClientCache
    private let maxBatch: Int
    private let state = Mutex(State())
    /// The commit loop runs here and writes synchronously: no task hops per batch.
    private let queue = DispatchQueue(label: "lessor.sqlite.group-commit")
    private let writer = WriterState()
    /// Told of each committed job, in commit order (cache, change stream).
    private let committed: @Sendable (JobResult) -> Void
    private let failing = Atomic<Bool>(false)

    /// Whether the last transaction failed as a whole (not one job's conflict): the database
    /// itself is in trouble until a transaction commits again.
    var isFailing: Bool { failing.load(ordering: .relaxed) }

    private let commitDelay: Duration
    private let gatherBelow: Int

    init(database: DatabasePool, cache: ClientCache, maxBatch: Int, commitDelay: Duration, gatherBelow: Int,
         committed: @escaping @Sendable (JobResult) -> Void) {
        self.database = database
        self.cache = cache
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

    /// Finalizes the prepared statements (before the database closes; call after `drain`).
    func releaseStatements() {
        queue.sync {
            guard writer.statements != nil else { return }
            database.writeWithoutTransaction { _ in writer.statements = nil }
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
            let results = commit(batch.map { $0.job })
            for (pending, result) in zip(batch, results) {
                if case .success(let job) = result { committed(job) }
                pending.continuation.resume(returning: result)
            }
        }
    }

    /// Runs the jobs in one transaction; one result per job.
    private func commit(_ jobs: [Job]) -> [Result<JobResult, LeaseStoreError>] {
        var committedSequence: UInt64?
        do {
            let results = try database.write { db -> [Result<JobResult, LeaseStoreError>] in
                if writer.statements == nil { writer.statements = try WriterStatements(db) }
                guard let statements = writer.statements else { return [] }
                var sequence: UInt64
                if let known = writer.sequence {
                    sequence = known
                } else {
                    sequence = try statements.readSequence.step() ? UInt64(bitPattern: statements.readSequence.integer(0)) : 0
                    statements.readSequence.reset()
                }
                let start = sequence
                var batch = WriteBatch(db: db, statements: statements, cache: cache)
                var results: [Result<JobResult, LeaseStoreError>] = []
                results.reserveCapacity(jobs.count)
                if jobs.count == 1, let job = jobs.first {
                    // Alone in its transaction, a job needs no savepoint: if it fails, the
                    // whole transaction is rolled back (SoleJobFailed below) — the same thing.
                    do {
                        results.append(.success(try job(batch, &sequence)))
                    } catch {
                        throw SoleJobFailed(error: error as? LeaseStoreError ?? SQLiteLeaseStore.map(error))
                    }
                } else {
                    for job in jobs {
                        var jobSequence = sequence
                        try statements.savepoint.run()
                        let outcome: Result<JobResult, LeaseStoreError>
                        do {
                            let result = try job(batch, &jobSequence)
                            outcome = .success(result)
                            sequence = jobSequence
                            for (client, state) in result.written { batch.written[client] = state }
                        } catch {
                            outcome = .failure(error as? LeaseStoreError ?? SQLiteLeaseStore.map(error))
                            try statements.rollbackToSavepoint.run()  // only this job's writes are undone
                        }
                        try statements.releaseSavepoint.run()
                        results.append(outcome)
                    }
                }
                if sequence != start {
                    try statements.writeSequence.bind(.integer(Int64(bitPattern: sequence))).run()
                }
                committedSequence = sequence
                return results
            }
            writer.sequence = committedSequence
            failing.store(false, ordering: .relaxed)
            return results
        } catch let failed as SoleJobFailed {
            writer.sequence = nil
            if failed.error.kind == .transport || failed.error.kind == .unavailable { failing.store(true, ordering: .relaxed) }
            return [.failure(failed.error)]
        } catch {
            // The shared transaction did not commit: nothing of this batch is stored.
            writer.sequence = nil
            failing.store(true, ordering: .relaxed)
            return Array(repeating: .failure(SQLiteLeaseStore.map(error)), count: jobs.count)
        }
    }
}

/// Carries a lone job's own error out of its rolled-back transaction.
private struct SoleJobFailed: Error {
    var error: LeaseStoreError
}
