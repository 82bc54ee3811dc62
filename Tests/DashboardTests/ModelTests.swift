import DHCPWire
import Dashboard
import Foundation
import LeaseStore
import LessorControl
import Testing

@Suite("Dashboard model")
struct ModelTests {
    let now = Sample.now

    /// A deterministic pseudo-random sequence (xorshift), so failures reproduce.
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }
    }

    func lease(_ n: Int, _ random: inout Random, version: UInt64) -> Lease {
        var lease = Lease.v4(
            IPv4Address(10 << 24 | UInt32(n)), state: LeaseState.allCases[random.next(5)],
            expiresAt: now + Double(random.next(10_000) - 100), owner: ["range", "static", "pd"][random.next(3)],
            hostname: random.next(4) == 0 ? nil : "host-\(random.next(50))", pool: ["a", "b"][random.next(2)])
        lease.version = version
        lease.updatedAt = now - Double(random.next(5_000))
        return lease
    }

    @Test(arguments: [SortColumn.expiry, .hostname, .client, .state], [false, true])
    func snapshotPlusChangesEqualsTheFinalSet(column: SortColumn, filtered: Bool) throws {
        var random = Random(state: 0x9E37_79B9_7F4A_7C15)
        var truth: [LeaseRowKey: LeaseRecord] = [:]
        var snapshot: [LeaseRecord] = []
        for n in 0..<300 {
            let record = LeaseRecord(client: Sample.mac(UInt8(n % 256)), lease: lease(n, &random, version: 1))
            let unique = LeaseRecord(client: .clientIdentifier([1, UInt8(n >> 8), UInt8(n & 0xFF)]), lease: record.lease)
            snapshot.append(unique)
            truth[LeaseRowKey(unique)] = unique
        }
        var state = DashboardState()
        _ = state.apply(ControlResponse(id: 1, event: .snapshot, pools: Sample.pools, leases: snapshot), now: now)
        state.setSort(column, reversed: filtered)
        if filtered { try state.setFilter("host-1") }
        state.refreshRows()

        for step in 0..<2_000 {
            let n = random.next(400)
            let client = ClientID.clientIdentifier([1, UInt8(n >> 8), UInt8(n & 0xFF)])
            let key = LeaseRowKey(client: client, kind: .v4, iaid: 0)
            let change: LeaseChange
            if let existing = truth[key], random.next(5) == 0 {
                change = LeaseChange(client: client, kind: .deleted, lease: existing.lease, previous: existing.lease, byReclaimer: false)
                truth[key] = nil
            } else {
                let new = lease(n, &random, version: UInt64(step + 2))
                change = LeaseChange(
                    client: client, kind: truth[key] == nil ? .created : .updated, lease: new, previous: truth[key]?.lease,
                    byReclaimer: false)
                truth[key] = LeaseRecord(client: client, lease: new)
            }
            _ = state.apply(ControlResponse(id: 1, event: .change, change: change), now: now)
            // Refresh at irregular points, as frames would.
            if random.next(7) == 0 { state.refreshRows() }
            // Halfway, a filter change alone (the sort values stay).
            if step == 1_000 { try state.setFilter(filtered ? "host-2" : "a") }
        }
        state.refreshRows()
        #expect(state.leases.count == truth.count)
        for (key, record) in truth { #expect(state.leases[key]?.record == record) }
        for lease in LeaseState.allCases {
            #expect(state.stateCounts[lease, default: 0] == truth.values.filter { $0.lease.state == lease }.count)
        }

        // The incrementally kept order equals a fresh sort of the final set.
        var fresh = DashboardState()
        _ = fresh.apply(ControlResponse(id: 1, event: .snapshot, leases: Array(truth.values)), now: now)
        fresh.setSort(column, reversed: filtered)
        try fresh.setFilter(filtered ? "host-2" : "a")
        fresh.refreshRows()
        let incremental = (0..<state.rowCount).map { LeaseRowKey(state.row(at: $0)!.record) }
        let sorted = (0..<fresh.rowCount).map { LeaseRowKey(fresh.row(at: $0)!.record) }
        #expect(incremental == sorted)
        if filtered {
            #expect(sorted.allSatisfy { truth[$0]!.lease.hostname?.contains("host-2") == true })
            #expect(sorted.count == truth.values.filter { $0.lease.hostname?.contains("host-2") == true }.count)
        } else {
            // Pool "a" matches; pool "b" leases only through other fields.
            #expect(sorted.count < truth.count && sorted.count > 0)
        }
    }

    @Test func filterIgnoresCaseInASCIIAndBeyond() throws {
        var state = DashboardState()
        var records: [LeaseRecord] = []
        for (n, name) in ["ÄRGER-PC", "Laptop-ANNA", "other"].enumerated() {
            records.append(LeaseRecord(
                client: Sample.mac(UInt8(n)),
                lease: Lease.v4(Sample.v4(UInt8(n + 1)), expiresAt: now + 60, owner: "range", hostname: name)))
        }
        _ = state.apply(ControlResponse(id: 1, event: .snapshot, leases: records), now: now)
        for (text, hostnames) in [("ärger", ["ÄRGER-PC"]), ("LAPTOP-anna", ["Laptop-ANNA"]), ("re:^L.*a$", ["Laptop-ANNA"])] {
            try state.setFilter(text)
            state.refreshRows()
            #expect((0..<state.rowCount).map { state.row(at: $0)?.record.lease.hostname } == hostnames, "\(text)")
        }
    }

    @Test func resyncReplacesEverything() {
        var state = Sample.state()
        let only = Sample.records[0]
        _ = state.apply(ControlResponse(id: 1, event: .resync, leases: [only]), now: now)
        state.refreshRows()
        #expect(state.leases.count == 1)
        #expect(state.rowCount == 1)
        #expect(state.stateCounts[.active] == 1 && state.stateCounts[.released, default: 0] == 0)
        #expect(state.message?.text.contains("resynchronised") == true)
    }

    @Test func eventLogIsBoundedNewestFirstAndPerClient() {
        var state = DashboardState()
        state.eventLimit = 50
        for n in 0..<300 {
            var lease = Lease.v4(IPv4Address(10, 0, UInt8(n / 256), UInt8(n % 256)), expiresAt: now + 60, owner: "range")
            lease.version = UInt64(n)
            let client = Sample.mac(UInt8(n % 3))
            _ = state.apply(
                ControlResponse(id: 1, event: .change, change: LeaseChange(client: client, kind: .created, lease: lease,
                                                                           previous: nil, byReclaimer: false)),
                now: now + Double(n))
        }
        let recent = state.recentEvents(limit: 1_000)
        #expect(recent.count == 50)
        #expect(recent.first?.at == now + 299)
        #expect(recent.map(\.at) == recent.map(\.at).sorted(by: >))
        let mine = state.events(of: Sample.mac(0))
        #expect(mine.count == state.clientEventLimit)
        #expect(mine.first?.at == now + 297)
    }

    @Test func leasesPerMinuteCountsCreationsAndRenewalsOnly() {
        var state = DashboardState()
        let lease = Lease.v4(IPv4Address(10, 0, 0, 1), expiresAt: now + 600, owner: "range")
        let client = Sample.mac(1)
        func send(_ kind: LeaseChange.Kind, _ lease: Lease, previous: Lease?, at: Date) {
            _ = state.apply(
                ControlResponse(id: 1, event: .change, change: LeaseChange(client: client, kind: kind, lease: lease,
                                                                           previous: previous, byReclaimer: false)), now: at)
        }
        send(.created, lease, previous: nil, at: now - 125)  // two minutes ago
        var renewed = lease
        renewed.expiresAt = now + 1_200
        send(.updated, renewed, previous: lease, at: now - 5)  // renewal: counts
        var released = renewed
        released.state = .released
        send(.updated, released, previous: renewed, at: now - 4)  // release: does not
        send(.deleted, released, previous: released, at: now - 3)
        // `now` is on a minute boundary: now-125 s is three minutes before now+30 s, now-5 s one.
        #expect(state.rateHistory(now: now + 30, minutes: 5) == [0, 1, 0, 1, 0])
        #expect(state.rateHistory(now: now + 27 * 60, minutes: 30).reduce(0, +) == 1)  // the creation left the window
    }

    @Test func poolThresholdsByPercentAndFreeCount() {
        let thresholds = PoolThresholds()
        func pool(size: UInt64, free: UInt64) -> PoolStats {
            PoolStats(name: "p", subnet: "", range: "", size: size, active: size - free, offered: 0, declined: 0, held: 0,
                      free: free, leaseTime: 60)
        }
        #expect(thresholds.level(of: pool(size: 1_000, free: 500)) == .ok)
        #expect(thresholds.level(of: pool(size: 1_000, free: 200)) == .warn)  // 80 %
        #expect(thresholds.level(of: pool(size: 1_000, free: 50)) == .critical)  // 95 %
        #expect(thresholds.level(of: pool(size: 20, free: 9)) == .warn)  // 55 %, but < 10 free
        #expect(thresholds.level(of: pool(size: 20, free: 2)) == .critical)  // < 3 free
        let custom = PoolThresholds(warnPercent: 50, criticalPercent: 60, warnFree: 0, criticalFree: 0)
        #expect(custom.level(of: pool(size: 1_000, free: 450)) == .warn)
    }
}

@Suite("Formatting")
struct FormattingTests {
    let now = Sample.now

    @Test func countdownIsCoarseOverAnHourAndMinutesSecondsUnder() {
        #expect(DashboardFormat.countdown(to: now + 3 * 3_600 + 12 * 60 + 59, now: now) == "3h12m")
        #expect(DashboardFormat.countdown(to: now + 2 * 86_400 + 4 * 3_600 + 5, now: now) == "2d04h")
        #expect(DashboardFormat.countdown(to: now + 754, now: now) == "12:34")
        #expect(DashboardFormat.countdown(to: now + 3_599, now: now) == "59:59")
        #expect(DashboardFormat.countdown(to: now + 3_600, now: now) == "1h00m")
        #expect(DashboardFormat.countdown(to: now, now: now) == "00:00")
        #expect(DashboardFormat.countdown(to: now - 1, now: now) == "expired")
    }

    @Test func durationsParseAndPrint() {
        #expect(DashboardFormat.parseDuration("3600") == 3_600)
        #expect(DashboardFormat.parseDuration("1h") == 3_600)
        #expect(DashboardFormat.parseDuration("30m") == 1_800)
        #expect(DashboardFormat.parseDuration("1H30M") == 5_400)
        #expect(DashboardFormat.parseDuration("1w") == 604_800)
        for bad in ["", "0", "-5", "h", "1x", "1.5h", "soon", "1h 30m", "99999999999"] {
            #expect(DashboardFormat.parseDuration(bad) == nil, "\(bad)")
        }
        #expect(DashboardFormat.duration(5_400) == "1h30m")
        #expect(DashboardFormat.duration(45) == "45s")
        #expect(DashboardFormat.duration(86_400) == "1d")
        #expect(DashboardFormat.timestamp(now) == "2026-11-25 12:00:00Z")
        #expect(DashboardFormat.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29 00:00:00Z")
    }
}
