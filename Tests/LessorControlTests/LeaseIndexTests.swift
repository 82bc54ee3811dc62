import DHCPWire
import Foundation
import LeaseStore
import LessorControl
import Testing

@Suite("Lease index and subscribe")
struct LeaseIndexTests {
    /// One key per lease, as a subscriber would keep its table.
    static func key(_ client: ClientID, _ lease: Lease) -> String { "\(client) \(lease.key)" }

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
            var table = Dictionary(uniqueKeysWithValues: (snapshot.leases ?? []).map { (Self.key($0.client, $0.lease), $0.lease) })
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
            let expected = Dictionary(uniqueKeysWithValues: final.map { (Self.key($0.client, $0.lease), $0.lease) })

            var lastSequence: UInt64 = 0
            let deadline = ContinuousClock.now + .seconds(30)
            while table != expected {
                #expect(ContinuousClock.now < deadline, "the stream did not reach the store's state in time")
                guard ContinuousClock.now < deadline, let event = try await events.next() else { break }
                switch event.event {
                case .change:
                    let change = try #require(event.change)
                    #expect(change.sequence > lastSequence, "changes arrive in commit order")
                    lastSequence = change.sequence
                    let key = Self.key(change.client, change.lease)
                    table[key] = change.kind == .deleted ? nil : change.lease
                case .resync:
                    table = Dictionary(uniqueKeysWithValues: (event.leases ?? []).map { (Self.key($0.client, $0.lease), $0.lease) })
                default:
                    Issue.record("unexpected event \(event)")
                }
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
}
