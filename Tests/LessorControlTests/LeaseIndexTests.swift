import DHCPWire
import Foundation
import LeaseStore
import LessorControl
import Testing

@Suite("Lease index and subscribe", .timeLimit(.minutes(2)))
struct LeaseIndexTests {
    /// One key per lease, as a subscriber would keep its table.
    static func key(_ client: ClientID, _ lease: Lease) -> String { "\(client) \(lease.key)" }

    /// A subscriber's table of leases, from a snapshot or the store.
    static func table(_ records: [LeaseRecord]?) -> [String: Lease] {
        Dictionary(uniqueKeysWithValues: (records ?? []).map { (key($0.client, $0.lease), $0.lease) })
    }

    /// What a subscriber does with one event: apply a change, or start over from a resync.
    static func apply(_ event: ControlResponse, to table: inout [String: Lease]) {
        if event.event == .resync {
            table = Self.table(event.leases)
        } else if let change = event.change {
            table[key(change.client, change.lease)] = change.kind == .deleted ? nil : change.lease
        }
    }

    /// Many writers on many clients at once; the subscriber's snapshot plus the changes it
    /// streams must end equal to the store, and the index too.
    @Test func snapshotPlusStreamEqualsTheStoreAfterAConcurrentBurst() async throws {
        try await ControlFixture.with { fixture in
            let store = fixture.store
            let clock = fixture.clock
            // Some leases before the subscription, so the snapshot has content.
            for last in UInt8(1)...10 { try await Self.write(store, client: last, step: 0, clock: clock) }

            let client = try await fixture.client()
            var events = client.subscribe().makeAsyncIterator()
            let snapshot = try #require(try await events.next())
            #expect(snapshot.event == .snapshot && snapshot.status != nil && snapshot.pools != nil)
            var table = Self.table(snapshot.leases)
            #expect(table.count == 10)

            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for step in 1...40 {
                            let last = UInt8(1 + (writer * 7 + step * 3) % 30)
                            try? await Self.write(store, client: last, step: step, clock: clock)
                        }
                    }
                }
            }
            let final = try await store.all()
            let expected = Self.table(final)

            var lastSequence: UInt64 = 0
            // Bounded: after 30 s the connection is closed, which ends the stream with an error.
            let watchdog = Task {
                try await Task.sleep(for: .seconds(30))
                Issue.record("the stream did not reach the store's state within 30 s")
                await client.close()
            }
            defer { watchdog.cancel() }
            while table != expected {
                guard let event = try await events.next() else { break }
                #expect(event.event == .change || event.event == .resync, "\(event)")
                if let change = event.change {
                    #expect(change.sequence > lastSequence, "changes arrive in commit order")
                    lastSequence = change.sequence
                }
                Self.apply(event, to: &table)
            }
            #expect(table == expected)
            #expect(fixture.server.index.records == final, "the index holds what the store holds")
            await client.close()
        }
    }

    /// Creates, updates or deletes `client`'s lease, depending on the step.
    static func write(_ store: MemoryLeaseStore, client last: UInt8, step: Int, clock: ManualLeaseClock) async throws {
        _ = try await store.transact(ControlFixture.client(last), writer: "test") { tx in
            if tx.leases.isEmpty {
                tx.leases = [Lease.v4(
                    IPv4Address(198, 51, 100, last), expiresAt: clock.now().addingTimeInterval(600), owner: "test", pool: "p")]
            } else if step % 10 == 0 {
                tx.leases = []
            } else {
                tx.leases[0].hostname = "host-\(step)"
                tx.leases[0].expiresAt = clock.now().addingTimeInterval(Double(600 + step))
            }
        }
    }

    @Test func poolCountsFollowTheStates() async throws {
        try await ControlFixture.with { fixture in
            for (last, state) in [(1, LeaseState.active), (2, .active), (3, .declined), (4, .released), (5, .expired)] {
                _ = try await fixture.store.transact(ControlFixture.client(UInt8(last)), writer: "test") { tx in
                    tx.leases = [Lease.v4(
                        IPv4Address(198, 51, 100, UInt8(last)), state: state, expiresAt: fixture.clock.now().addingTimeInterval(600),
                        owner: "test", pool: "p")]
                }
            }
            #expect(try await eventually { fixture.server.index.counts(pool: "p")[.active] == 2 })
            let counts = fixture.server.index.counts(pool: "p")
            #expect(counts[.declined] == 1 && counts[.released] == 1 && counts[.expired] == 1)
        }
    }

    /// A subscriber that stops reading: the store's writers go on at full speed, the subscriber
    /// gets a `resync` when it reads again, and a still-stuck one does not hold up `stop`.
    @Test func aStuckSubscriberIsResyncedAndDoesNotHoldUpStop() async throws {
        try await ControlFixture.with(subscriberBuffer: 16) { fixture in
            let reader = try RawControlSocket(path: fixture.socketPath)
            let stuck = try RawControlSocket(path: fixture.socketPath)
            for socket in [reader, stuck] {
                try socket.send("{\"id\":3,\"command\":\"subscribe\"}\n")
            }
            let snapshot = try #require(try await reader.response())
            #expect(snapshot.event == .snapshot)
            // Big changes, so the socket buffers fill after a few hundred.
            let padding = String(repeating: "x", count: 2000)
            for step in 0..<2000 {
                _ = try await fixture.store.transact(ControlFixture.client(UInt8(step % 200)), writer: "test") { tx in
                    tx.leases = [Lease.v4(
                        IPv4Address(198, 51, 100, UInt8(step % 200)), expiresAt: fixture.clock.now().addingTimeInterval(600),
                        owner: "test", hostname: "h\(step)-\(padding)", pool: "p")]
                }
            }
            var events = 0
            var table: [String: Lease]?
            while table == nil, let event = try await reader.response(timeout: .seconds(20)) {
                events += 1
                if event.event == .resync { table = Self.table(event.leases) }
            }
            #expect(table != nil, "a resync after \(events) events")
            // The resync plus the changes after it reach the store's state.
            let expected = Self.table(try await fixture.store.all())
            while var current = table, current != expected, let event = try await reader.response(timeout: .seconds(20)) {
                Self.apply(event, to: &current)
                table = current
            }
            #expect(table == expected)

            let started = ContinuousClock.now
            await fixture.server.stop()
            #expect(ContinuousClock.now - started < .seconds(5), "stop is not held up by the stuck subscriber")
            _ = stuck
        }
    }
}
