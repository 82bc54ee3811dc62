import DHCPWire
import Foundation
import LeaseStore
import LessorControl
import Testing

/// `release` and `extend`: tokened read–modify–write, version checks, and what a release does to
/// the address (held until the old expiry, or free at once with `force`).
@Suite("Release and extend", .timeLimit(.minutes(2)))
struct LeaseChangeCommandTests {
    let alice = ControlFixture.client(1)
    let bob = ControlFixture.client(2)

    func release(_ client: ControlClient, _ id: ClientID, version: UInt64, force: Bool? = nil) async throws -> ControlResponse {
        try await client.request(
            ControlRequest(id: 0, command: .release, client: id.description, kind: .v4, iaid: 0, leaseVersion: version, force: force))
    }

    @Test func releaseHoldsTheAddressUntilTheOldExpiryThenFreesIt() async throws {
        try await ControlFixture.with { fixture in
            let lease = try await fixture.lease(alice)
            let address = try #require(lease.ipv4)
            let client = try await fixture.client()
            let answer = try await release(client, alice, version: lease.version)
            #expect(answer.ok, "\(answer)")
            let released = try #require(answer.leases?.first?.lease)
            #expect(released.state == .released && released.expiresAt == lease.expiresAt, "released, expiry kept")
            #expect(try await fixture.offer(to: bob) == nil, "the address is held back from another client")

            fixture.clock.advance(by: .seconds(599))
            _ = try await fixture.store.reclaimExpired(limit: 100, timeBudget: .seconds(1))
            #expect(try await fixture.offer(to: bob) == nil, "still held one second before the old expiry")

            fixture.clock.advance(by: .seconds(2))
            let report = try await fixture.store.reclaimExpired(limit: 100, timeBudget: .seconds(1))
            #expect(report.deleted == 1)
            let current = await fixture.store.read(alice)
            #expect(current.isEmpty)
            #expect(try await eventually { try await fixture.offer(to: bob) == address }, "free once the old lease time is over")
            await client.close()
        }
    }

    @Test func forcedReleaseFreesTheAddressAtOnce() async throws {
        try await ControlFixture.with { fixture in
            let lease = try await fixture.lease(alice)
            let client = try await fixture.client()
            let answer = try await release(client, alice, version: lease.version, force: true)
            #expect(answer.ok && answer.leases == [], "\(answer)")
            let current = await fixture.store.read(alice)
            #expect(current.isEmpty)
            #expect(try await eventually { try await fixture.offer(to: bob) == lease.ipv4 })
            await client.close()
        }
    }

    @Test func aVersionTheOperatorDidNotSeeGetsConflict() async throws {
        try await ControlFixture.with { fixture in
            let first = try await fixture.lease(alice)
            fixture.clock.advance(by: .seconds(60))
            let renewed = try await fixture.lease(alice)  // the client renewed meanwhile
            #expect(renewed.version > first.version)
            let client = try await fixture.client()
            let stale = try await release(client, alice, version: first.version)
            #expect(stale.error?.code == .conflict)
            #expect(stale.error?.message.contains("version \(renewed.version)") == true, "\(stale)")
            let staleExtend = try await client.request(
                ControlRequest(id: 0, command: .extend, client: alice.description, leaseVersion: first.version, seconds: 60))
            #expect(staleExtend.error?.code == .conflict)
            let current = await fixture.store.read(alice)
            #expect(current == [renewed], "nothing written")
            let missing = try await release(client, bob, version: 1)
            #expect(missing.error?.code == .notFound)
            await client.close()
        }
    }

    @Test func extendSetsTheExpiryFromNowForActiveLeasesOnly() async throws {
        try await ControlFixture.with { fixture in
            let lease = try await fixture.lease(alice)
            let client = try await fixture.client()
            fixture.clock.advance(by: .seconds(100))
            for seconds in [0, -5, 400 * 86_400] {
                let refused = try await client.request(
                    ControlRequest(id: 0, command: .extend, client: alice.description, leaseVersion: lease.version, seconds: seconds))
                #expect(refused.error?.code == .badRequest, "seconds \(seconds)")
            }
            let extended = try await client.request(
                ControlRequest(id: 0, command: .extend, client: alice.description, leaseVersion: lease.version, seconds: 7200))
            let stored = try #require(extended.leases?.first?.lease)
            #expect(stored.expiresAt == fixture.clock.now().addingTimeInterval(7200) && stored.state == .active)
            let current = await fixture.store.read(alice)
            #expect(current == [stored])

            let released = try #require(try await release(client, alice, version: stored.version).leases?.first?.lease)
            let notActive = try await client.request(
                ControlRequest(id: 0, command: .extend, client: alice.description, leaseVersion: released.version, seconds: 60))
            #expect(notActive.error?.code == .badRequest)
            await client.close()
        }
    }
}
