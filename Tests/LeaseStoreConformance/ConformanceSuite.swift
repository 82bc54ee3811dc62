import DHCPWire
import Foundation
public import LeaseStore
import Synchronization

/// One named check of the storage contract (DESIGN.md §3), run against any provider.
public struct ConformanceCase: Sendable, CustomStringConvertible {
    public let name: String
    let body: @Sendable (ConformanceContext) async throws -> Void
    public var description: String { name }

    /// Builds a fresh store with a manual clock and runs the check on it.
    public func run(_ factory: StoreFactory) async throws {
        let clock = ManualLeaseClock()
        let options = LeaseStoreOptions(tokenTimeout: .seconds(10), expiredHoldTime: .seconds(600), clock: clock)
        let store = try await factory(options)
        try await body(ConformanceContext(store: store, clock: clock, options: options))
    }
}

/// The conformance suite: written once against the protocol, run by every provider's tests.
public enum ConformanceSuite {
    public static let cases: [ConformanceCase] = basics + tokens + invariants + concurrency + changeStream + expiry + retries

    static func check(_ name: String, _ body: @escaping @Sendable (ConformanceContext) async throws -> Void) -> ConformanceCase {
        ConformanceCase(name: name, body: body)
    }

    // MARK: Basics

    static let basics: [ConformanceCase] = [
        check("unknown client has no leases") { context in
            let lookup = try await context.store.lookup(Sample.client(1))
            try expect(lookup.leases.isEmpty, "expected no leases")
            await context.store.releaseToken(lookup.token)
            try expect(try await context.store.read(Sample.client(1)).isEmpty, "read should be empty")
        },
        check("update then read returns the leases with versions") { context in
            let now = context.clock.now()
            let client = Sample.client(1)
            let stored = try await context.store.put(client, [Sample.lease(1, from: now)])
            try expectEqual(stored.count, 1, "stored lease count")
            try expect(stored[0].version > 0, "version set by provider")
            try expectEqual(stored[0].updatedAt, now, "updatedAt is the clock's now")
            let read = try await context.store.read(client)
            try expectEqual(read, stored, "read after update")
            try expectEqual(try await context.store.lookup(client).leases, stored, "lookup after update")
        },
        check("one client holds several leases with per-element lifetimes") { context in
            let now = context.clock.now()
            let client = Sample.duidClient(7)
            let na = Lease(
                kind: .iaNA, iaid: 1,
                elements: [
                    LeaseElement(.ipv6(Sample.v6(10)), preferredUntil: now + 1800, validUntil: now + 3600),
                    LeaseElement(.ipv6(Sample.v6(11)), preferredUntil: now + 900, validUntil: now + 1200),
                ], expiresAt: now + 3600, owner: "range6")
            let na2 = Lease(kind: .iaNA, iaid: 2, elements: [LeaseElement(.ipv6(Sample.v6(12)))], expiresAt: now + 3600, owner: "range6")
            let pd = Lease(
                kind: .iaPD, iaid: 1, elements: [LeaseElement(.prefix(Sample.prefix(1)), preferredUntil: now + 100, validUntil: now + 200)],
                expiresAt: now + 200, owner: "range6", attachments: ["range6": Data([1, 2, 3])])
            let v4 = Lease.v4(Sample.address(5), expiresAt: now + 600, owner: "range6")
            try await context.store.put(client, [pd, na2, v4, na], writer: "range6")
            let read = try await context.store.read(client)
            try expectEqual(read.map(\.key), [v4.key, na.key, na2.key, pd.key], "leases ordered by key")
            try expect(read[1].hasSameContent(as: na), "IA_NA with two elements and lifetimes round trips")
            try expectEqual(read[3].attachments["range6"], Data([1, 2, 3]), "attachment")
            let holder = try await context.store.holder(of: .prefix(Sample.prefix(1)))
            try expectEqual(holder?.client, client, "holder of delegated prefix")
            try expectEqual(holder?.lease.key, pd.key, "holder's lease")
            try expectEqual(try await context.store.holder(of: .ipv6(Sample.v6(11)))?.lease.key, na.key, "holder of second IA_NA address")
            try expect(try await context.store.holder(of: .ipv6(Sample.v6(99))) == nil, "nobody holds an unused address")
        },
        check("malformed lease sets are invalid arguments") { context in
            let now = context.clock.now()
            let client = Sample.client(1)
            let a = Sample.lease(1, from: now)
            var sameAddress = Lease(kind: .iaNA, iaid: 1, elements: [LeaseElement(.ipv4(Sample.address(1)))], expiresAt: now, owner: "range")
            let bad: [(String, [Lease])] = [
                ("two leases with one key", [a, Sample.lease(2, from: now)]),
                ("IA_NA holding an IPv4 address", [sameAddress]),
                ("no elements", [Lease(elements: [], expiresAt: now, owner: "range")]),
                ("empty owner", [Sample.lease(1, from: now, owner: "")]),
            ]
            for (what, leases) in bad {
                try await expectError(.invalidArgument, what) { try await context.store.put(client, leases) }
            }
            sameAddress.elements = [LeaseElement(.ipv6(Sample.v6(1))), LeaseElement(.ipv6(Sample.v6(1)))]
            try await expectError(.invalidArgument, "one address twice") { try await context.store.put(client, [sameAddress]) }
            try expect(try await context.store.read(client).isEmpty, "nothing written by rejected updates")
        },
        check("writers change only the leases they own; the operator only state and expiry") { context in
            let now = context.clock.now()
            let client = Sample.client(1)
            try await context.store.put(client, [Sample.lease(1, from: now, owner: "static")], writer: "static")
            var moved = Sample.lease(2, from: now, owner: "static")
            try await expectError(.invalidArgument, "another plugin changes static's lease") {
                try await context.store.put(client, [moved], writer: "range")
            }
            try await expectError(.invalidArgument, "another plugin deletes static's lease") {
                try await context.store.put(client, [], writer: "range")
            }
            try await expectError(.invalidArgument, "creating a lease owned by someone else") {
                try await context.store.put(Sample.client(2), [Sample.lease(3, from: now, owner: "static")], writer: "range")
            }
            try await expectError(.invalidArgument, "operator changes elements") {
                try await context.store.put(client, [moved], writer: LeaseWriter.operator)
            }
            var released = try await context.store.read(client)[0]
            released.state = .released
            released.expiresAt = now + 60
            let stored = try await context.store.put(client, [released], writer: LeaseWriter.operator)
            try expectEqual(stored[0].state, .released, "operator released it")
            moved.owner = "static"
            try await context.store.put(client, [moved], writer: "static")
            try expectEqual(try await context.store.read(client)[0].resources, [.ipv4(Sample.address(2))], "owner changed its lease")
        },
        check("an update that changes nothing writes nothing") { context in
            let now = context.clock.now()
            let client = Sample.client(1)
            let stored = try await context.store.put(client, [Sample.lease(1, from: now)])
            var iterator = context.store.changes(bufferSize: 16).makeAsyncIterator()
            context.clock.advance(by: .seconds(5))
            let again = try await context.store.put(client, stored)
            try expectEqual(again, stored, "same versions after a no-op update")
            try await context.store.put(client, [Sample.lease(1, expiresIn: 7200, from: now)])
            guard case .change(let change) = await iterator.next() else { throw ConformanceFailure(message: "no change", location: "") }
            try expectEqual(change.kind, .updated, "first change after the no-op is the real update")
        },
    ]

    // MARK: Tokens

    static let tokens: [ConformanceCase] = [
        check("a token is used at most once") { context in
            let client = Sample.client(1)
            let now = context.clock.now()
            let lookup = try await context.store.lookup(client)
            try await context.store.update(client, leases: [Sample.lease(1, from: now)], token: lookup.token, writer: "range")
            try await expectError(.conflict, "second update with one token") {
                try await context.store.update(client, leases: [Sample.lease(2, from: now)], token: lookup.token, writer: "range")
            }
            try expectEqual(try await context.store.read(client)[0].resources, [.ipv4(Sample.address(1))], "first write kept")
        },
        check("a stale token gets conflict, never a silent overwrite") { context in
            let client = Sample.client(1)
            let now = context.clock.now()
            let first = try await context.store.lookup(client)
            let second = try await context.store.lookup(client)
            try await context.store.update(client, leases: [Sample.lease(1, from: now)], token: second.token, writer: "range")
            try await expectError(.conflict, "update with the older token") {
                try await context.store.update(client, leases: [Sample.lease(2, from: now)], token: first.token, writer: "range")
            }
            let third = try await context.store.lookup(client)
            try await context.store.update(client, leases: [], token: third.token, writer: "range")
            let fourth = try await context.store.lookup(client)
            try await context.store.update(client, leases: [Sample.lease(3, from: now)], token: fourth.token, writer: "range")
            try await expectError(.conflict, "token from before a delete and re-create") {
                try await context.store.update(client, leases: [], token: third.token, writer: "range")
            }
        },
        check("a released token cannot be used") { context in
            let client = Sample.client(1)
            let lookup = try await context.store.lookup(client)
            await context.store.releaseToken(lookup.token)
            try await expectError(.conflict, "update after releaseToken") {
                try await context.store.update(client, leases: [Sample.lease(1, from: context.clock.now())], token: lookup.token, writer: "range")
            }
        },
        check("an unused token times out") { context in
            let client = Sample.client(1)
            let lookup = try await context.store.lookup(client)
            context.clock.advance(by: context.options.tokenTimeout + .seconds(1))
            try await expectError(.conflict, "update after the token timeout") {
                try await context.store.update(client, leases: [Sample.lease(1, from: context.clock.now())], token: lookup.token, writer: "range")
            }
            try expect(try await context.store.read(client).isEmpty, "nothing written with an expired token")
        },
        check("a token for another client is invalid") { context in
            let lookup = try await context.store.lookup(Sample.client(1))
            try await expectError(.invalidToken, "token used for another client") {
                try await context.store.update(Sample.client(2), leases: [Sample.lease(1, from: context.clock.now())], token: lookup.token, writer: "range")
            }
        },
    ]

    // MARK: Invariants

    static let invariants: [ConformanceCase] = [
        check("an address held by one client is refused to another") { context in
            let now = context.clock.now()
            try await context.store.put(Sample.client(1), [Sample.lease(1, from: now)])
            try await expectError(.addressInUse(.ipv4(Sample.address(1))), "second client takes the same address") {
                try await context.store.put(Sample.client(2), [Sample.lease(1, from: now)])
            }
            try await context.store.put(Sample.client(1), [])
            try await context.store.put(Sample.client(2), [Sample.lease(1, from: now)])
            try expectEqual(try await context.store.holder(of: .ipv4(Sample.address(1)))?.client, Sample.client(2), "new holder after release")
        },
        check("an element may move between leases of one client in one update") { context in
            let now = context.clock.now()
            let client = Sample.duidClient(1)
            let first = Lease(kind: .iaNA, iaid: 1, elements: [LeaseElement(.ipv6(Sample.v6(1)))], expiresAt: now + 60, owner: "range6")
            try await context.store.put(client, [first], writer: "range6")
            let second = Lease(kind: .iaNA, iaid: 2, elements: [LeaseElement(.ipv6(Sample.v6(1)))], expiresAt: now + 60, owner: "range6")
            try await context.store.put(client, [second], writer: "range6")
            try expectEqual(try await context.store.holder(of: .ipv6(Sample.v6(1)))?.lease.key, second.key, "holder after the move")
        },
        check("paged reads return every lease once, in order, filtered") { context in
            let now = context.clock.now()
            for n in 0..<57 {
                try await context.store.put(Sample.client(n), [Sample.lease(n, state: n % 3 == 0 ? .offered : .active, from: now)])
            }
            let all = try await context.store.all(pageSize: 7)
            try expectEqual(all.count, 57, "lease count")
            try expectEqual(Set(all.map(\.client)).count, 57, "each client once")
            try expect(zip(all, all.dropFirst()).allSatisfy { LeaseCursor(after: $0.0).precedes($0.1) }, "page order")
            let offered = try await context.store.all(matching: LeaseFilter(states: [.offered]), pageSize: 4)
            try expectEqual(offered.count, 19, "offered leases")
            try expect(offered.allSatisfy { $0.lease.state == .offered }, "filter applied")
            let none = try await context.store.all(matching: LeaseFilter(pool: "nope"))
            try expect(none.isEmpty, "unknown pool")
            try await expectError(.invalidArgument, "page limit 0") {
                try await context.store.page(after: nil, limit: 0, filter: .all)
            }
        },
    ]

    // MARK: Concurrency

    static let concurrency: [ConformanceCase] = [
        check("concurrent transacts on one client lose no update") { context in
            let client = Sample.client(1)
            let now = context.clock.now()
            let tasks = 32
            let store = context.store
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        _ = try await store.transact(client, writer: "range", policy: RetryPolicy(maxAttempts: 200)) { tx in
                            var lease = tx.leases.first ?? Sample.lease(1, from: now)
                            let count = lease.attachments["range"].map { Int($0.first ?? 0) } ?? 0
                            lease.attachments["range"] = Data([UInt8(count + 1)])
                            tx.leases = [lease]
                        }
                    }
                }
                try await group.waitForAll()
            }
            let count = try await store.read(client).first?.attachments["range"]?.first
            try expectEqual(count, UInt8(tasks), "every increment kept")
        },
        check("concurrent transacts for one address give it to exactly one client") { context in
            let now = context.clock.now()
            let store = context.store
            let clients = 24
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<clients {
                    group.addTask {
                        _ = try await store.transact(Sample.client(n), writer: "range", policy: RetryPolicy(maxAttempts: 200)) { tx in
                            // Every client wants the lowest address; losers move up as addresses are found taken.
                            let pick = (0..<1000).first { !tx.unavailable.contains(.ipv4(Sample.address($0))) } ?? 0
                            tx.leases = [Sample.lease(pick, from: now)]
                        }
                    }
                }
                try await group.waitForAll()
            }
            let all = try await store.all()
            try expectEqual(all.count, clients, "every client got a lease")
            try expectEqual(Set(all.flatMap(\.lease.resources)).count, clients, "no address held twice")
            try expectEqual(try await store.holder(of: .ipv4(Sample.address(0)))?.lease.resources, [.ipv4(Sample.address(0))], "first address taken")
        },
    ]

    // MARK: Change stream

    static let changeStream: [ConformanceCase] = [
        check("every commit produces one change per lease, in order") { context in
            let now = context.clock.now()
            let client = Sample.duidClient(1)
            var iterator = context.store.changes(bufferSize: 64).makeAsyncIterator()
            let a = Lease(kind: .iaNA, iaid: 1, elements: [LeaseElement(.ipv6(Sample.v6(1)))], expiresAt: now + 60, owner: "range6")
            let b = Lease(kind: .iaPD, iaid: 1, elements: [LeaseElement(.prefix(Sample.prefix(1)))], expiresAt: now + 60, owner: "range6")
            try await context.store.put(client, [a, b], writer: "range6")
            var a2 = a
            a2.expiresAt = now + 120
            try await context.store.put(client, [a2, b], writer: "range6")
            try await context.store.put(client, [b], writer: "range6")
            var kinds: [LeaseChange.Kind] = []
            var sequences: [UInt64] = []
            var versions: [UInt64] = []
            for _ in 0..<4 {
                guard case .change(let change) = await iterator.next() else { throw ConformanceFailure(message: "missing change", location: "") }
                try expectEqual(change.client, client, "change client")
                kinds.append(change.kind)
                sequences.append(change.sequence)
                versions.append(change.lease.version)
            }
            try expectEqual(kinds, [.created, .created, .updated, .deleted], "change kinds")
            try expect(zip(sequences, sequences.dropFirst()).allSatisfy { $0 < $1 }, "sequences increase: \(sequences)")
            try expectEqual(versions[0], versions[1], "one commit, one version")
            try expect(versions[2] > versions[1], "later commit, later version")
        },
        check("a snapshot plus the stream equals the final state") { context in
            let now = context.clock.now()
            let store = context.store
            for n in 0..<20 { try await store.put(Sample.client(n), [Sample.lease(n, from: now)]) }
            var iterator = store.changes(bufferSize: 10_000).makeAsyncIterator()
            var state: [String: Lease] = [:]
            for record in try await store.all() { state["\(record.client)|\(record.lease.key)"] = record.lease }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<40 {
                    group.addTask {
                        _ = try await store.transact(Sample.client(n % 25), writer: "range") { tx in
                            tx.leases = n % 7 == 0 ? [] : [Sample.lease(100 + n, expiresIn: TimeInterval(60 + n), from: now)]
                        }
                    }
                }
                try await group.waitForAll()
            }
            // A marker commit: once its change arrives, every earlier commit's change has too.
            let marker = Sample.client(999)
            try await store.put(marker, [Sample.lease(999, from: now)])
            var applied = 0
            while true {
                guard applied < 1000, case .change(let change) = await iterator.next() else {
                    throw ConformanceFailure(message: "stream ended or overflowed after \(applied) changes", location: "")
                }
                let key = "\(change.client)|\(change.lease.key)"
                if change.kind == .deleted { state[key] = nil } else { state[key] = change.lease }
                applied += 1
                if change.client == marker { break }
            }
            let final = try await store.all()
            try expectEqual(
                state, Dictionary(uniqueKeysWithValues: final.map { ("\($0.client)|\($0.lease.key)", $0.lease) }),
                "replayed state")
        },
        check("a subscriber that falls behind gets overflow, not a stalled writer") { context in
            let now = context.clock.now()
            var iterator = context.store.changes(bufferSize: 4).makeAsyncIterator()
            for n in 0..<12 { try await context.store.put(Sample.client(n), [Sample.lease(n, from: now)]) }
            let first = await iterator.next()
            try expectEqual(first, .overflow, "first event after falling behind")
            try await context.store.put(Sample.client(50), [Sample.lease(50, from: now)])
            guard case .change(let change) = await iterator.next() else { throw ConformanceFailure(message: "no change after overflow", location: "") }
            try expectEqual(change.client, Sample.client(50), "stream resumes with new changes")
        },
    ]

    // MARK: Expiry

    static let expiry: [ConformanceCase] = [
        check("expiry keeps the address for its client for the hold time, then frees it") { context in
            let now = context.clock.now()
            let store = context.store
            let client = Sample.client(1)
            let notices = NoticeLog()
            store.onExpiry(owner: "range") { notices.append($0) }
            var iterator = store.changes(bufferSize: 16).makeAsyncIterator()
            try await store.put(client, [Sample.lease(1, expiresIn: 60, from: now)])
            _ = await iterator.next()  // created
            let early = try await store.reclaimExpired(limit: 100, timeBudget: .seconds(5))
            try expectEqual(early, ReclaimReport(), "nothing due before expiry")
            context.clock.advance(by: .seconds(61))
            let report = try await store.reclaimExpired(limit: 100, timeBudget: .seconds(5))
            try expectEqual(report.expired, 1, "expired count")
            guard case .change(let change) = await iterator.next() else { throw ConformanceFailure(message: "no expired change", location: "") }
            try expectEqual(change.kind, .expired, "change kind")
            try expect(change.byReclaimer, "made by the reclaimer")
            let held = try await store.read(client)
            try expectEqual(held.first?.state, .expired, "state after expiry")
            try expectEqual(notices.outcomes, [.expired], "owner handler called")
            try await expectError(.addressInUse(.ipv4(Sample.address(1))), "another client during the hold") {
                try await store.put(Sample.client(2), [Sample.lease(1, from: context.clock.now())])
            }
            let again = try await store.reclaimExpired(limit: 100, timeBudget: .seconds(5))
            try expectEqual(again, ReclaimReport(), "an expired lease is not expired twice")
            context.clock.advance(by: context.options.expiredHoldTime)
            let purge = try await store.reclaimExpired(limit: 100, timeBudget: .seconds(5))
            try expectEqual(purge.deleted, 1, "deleted after the hold")
            try expectEqual(notices.outcomes, [.expired, .deleted], "owner told of the deletion")
            guard case .change(let deleted) = await iterator.next() else { throw ConformanceFailure(message: "no deleted change", location: "") }
            try expectEqual(deleted.kind, .deleted, "second change")
            try await store.put(Sample.client(2), [Sample.lease(1, from: context.clock.now())])
        },
        check("a returning client gets its expired lease back") { context in
            let now = context.clock.now()
            let client = Sample.client(1)
            try await context.store.put(client, [Sample.lease(1, expiresIn: 60, from: now)])
            context.clock.advance(by: .seconds(120))
            _ = try await context.store.reclaimExpired(limit: 100, timeBudget: .seconds(5))
            let result = try await context.store.transact(client, writer: "range") { tx in
                guard var lease = tx.leases.first, lease.state == .expired else { return false }
                lease.state = .active
                lease.expiresAt = context.clock.now() + 3600
                tx.leases = [lease]
                return true
            }
            try expect(result.value, "the expired lease was offered back to its client")
            try expectEqual(result.leases.first?.state, .active, "reactivated")
            try expectEqual(result.leases.first?.resources, [.ipv4(Sample.address(1))], "same address")
        },
        check("offered, released and declined leases are deleted when they lapse") { context in
            let now = context.clock.now()
            for (n, state) in [LeaseState.offered, .released, .declined].enumerated() {
                try await context.store.put(Sample.client(n), [Sample.lease(n, state: state, expiresIn: 30, from: now)])
            }
            context.clock.advance(by: .seconds(31))
            let report = try await context.store.reclaimExpired(limit: 100, timeBudget: .seconds(5))
            try expectEqual(report, ReclaimReport(expired: 0, deleted: 3), "report")
            try expect(try await context.store.all().isEmpty, "all gone")
        },
        check("reclamation is bounded per pass") { context in
            let now = context.clock.now()
            for n in 0..<30 { try await context.store.put(Sample.client(n), [Sample.lease(n, expiresIn: 10, from: now)]) }
            context.clock.advance(by: .seconds(11))
            let first = try await context.store.reclaimExpired(limit: 12, timeBudget: .seconds(5))
            try expectEqual(first.expired, 12, "first pass count")
            try expect(first.moreDue, "first pass reports more due")
            let second = try await context.store.reclaimExpired(limit: 100, timeBudget: .seconds(5))
            try expectEqual(second.expired, 18, "second pass count")
            try expect(!second.moreDue, "nothing more due")
        },
        check("a renewal that races expiry is resolved by the token") { context in
            let now = context.clock.now()
            let client = Sample.client(1)
            try await context.store.put(client, [Sample.lease(1, expiresIn: 60, from: now)])
            let lookup = try await context.store.lookup(client)
            context.clock.advance(by: .seconds(61))
            _ = try await context.store.reclaimExpired(limit: 100, timeBudget: .seconds(5))
            var renewed = lookup.leases[0]
            renewed.expiresAt = context.clock.now() + 3600
            try await expectError(.conflict, "renewal with a token from before the expiry") {
                try await context.store.update(client, leases: [renewed], token: lookup.token, writer: "range")
            }
            try expectEqual(try await context.store.read(client).first?.state, .expired, "the expiry stands")
        },
        check("a renewal before expiry moves the expiry") { context in
            let now = context.clock.now()
            let client = Sample.client(1)
            try await context.store.put(client, [Sample.lease(1, expiresIn: 60, from: now)])
            try await context.store.put(client, [Sample.lease(1, expiresIn: 600, from: now)])
            context.clock.advance(by: .seconds(61))
            let report = try await context.store.reclaimExpired(limit: 100, timeBudget: .seconds(5))
            try expectEqual(report, ReclaimReport(), "nothing reclaimed after a renewal")
            try expectEqual(try await context.store.read(client).first?.state, .active, "still active")
        },
    ]
}

/// Collects expiry notices from the handler (which runs on the store's task).
final class NoticeLog: Sendable {
    private let notices = Mutex<[ExpiryNotice]>([])
    func append(_ notice: ExpiryNotice) { notices.withLock { $0.append(notice) } }
    var outcomes: [ExpiryNotice.Outcome] { notices.withLock { $0.map(\.outcome) } }
}

extension ConformanceSuite {
    /// The retry helper over a real provider with injected transport failures.
    static let retries: [ConformanceCase] = [
        check("transact retries transport errors with the same token, then succeeds") { context in
            let faulty = FaultInjectingLeaseStore(context.store)
            faulty.fail(.update, with: [.transport("timeout"), .transport("timeout")])
            faulty.fail(.lookup, with: [.transport("connection reset")])
            let now = context.clock.now()
            let result = try await faulty.transact(Sample.client(1), writer: "range", policy: RetryPolicy(initialBackoff: .milliseconds(1))) { tx in
                tx.leases = [Sample.lease(1, from: now)]
                return tx.attempt
            }
            try expectEqual(result.value, 1, "one lookup attempt: transport errors retry the call, not the lookup")
            try expectEqual(faulty.count(.update), 3, "update calls")
            try expectEqual(try await context.store.read(Sample.client(1)).count, 1, "committed")
        },
        check("transact gives up after bounded transport retries") { context in
            let faulty = FaultInjectingLeaseStore(context.store)
            faulty.fail(.update, with: Array(repeating: .transport("down"), count: 10))
            let now = context.clock.now()
            try await expectError(.transport, "backend stays down") {
                try await faulty.transact(Sample.client(1), writer: "range", policy: RetryPolicy(maxTransportRetries: 3, initialBackoff: .milliseconds(1))) { tx in
                    tx.leases = [Sample.lease(1, from: now)]
                }
            }
            try expectEqual(faulty.count(.update), 4, "first call plus three retries")
            try expect(try await context.store.read(Sample.client(1)).isEmpty, "nothing committed")
        },
        check("transact does not retry invalid arguments or unavailable") { context in
            let faulty = FaultInjectingLeaseStore(context.store)
            faulty.fail(.update, with: [.unavailable("corrupt")])
            let now = context.clock.now()
            try await expectError(.unavailable, "unavailable is final") {
                try await faulty.transact(Sample.client(1), writer: "range") { tx in tx.leases = [Sample.lease(1, from: now)] }
            }
            try expectEqual(faulty.count(.update), 1, "no retry")
        },
        check("transact gives up after bounded conflicts") { context in
            let faulty = FaultInjectingLeaseStore(context.store)
            faulty.fail(.update, with: Array(repeating: .conflict("busy client"), count: 10))
            let now = context.clock.now()
            try await expectError(.conflict, "conflicts forever") {
                try await faulty.transact(Sample.client(1), writer: "range", policy: RetryPolicy(maxAttempts: 5)) { tx in
                    tx.leases = [Sample.lease(1, from: now)]
                }
            }
            try expectEqual(faulty.count(.lookup), 5, "one lookup per attempt")
        },
    ]
}
