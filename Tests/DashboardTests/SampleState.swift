import DHCPWire
import Dashboard
import Foundation
import LeaseStore
import LessorControl

/// A fixed dashboard for golden and reducer tests: several pools (ok, warn, critical, v6),
/// leases in every state, v4, IA_NA and IA_PD leases, client-id and DUID clients, and an event
/// log built from changes over the last minutes. `now` is fixed.
enum Sample {
    /// 2026-11-25 12:00:00Z.
    static let now = Date(timeIntervalSince1970: 1_795_608_000)

    static func mac(_ last: UInt8) -> ClientID { .hardware(HardwareAddress(bytes: [0x02, 0x00, 0x5e, 0x10, 0x00, last])!) }
    static func v4(_ last: UInt8) -> IPv4Address { IPv4Address(192, 0, 2, last) }

    static let status = ServerStatus(
        server: "dhcp1", version: "0.4.0", pid: 4242, startedAt: now - (3 * 3_600 + 12 * 60), store: "sqlite",
        storeHealthy: true, counters: ["received": 1_234, "ack": 1_000])

    static let pools = [
        PoolStats(name: "lan", subnet: "192.0.2.0/24", range: "192.0.2.10-192.0.2.209", size: 200, active: 140,
                  offered: 2, declined: 1, held: 7, free: 50, leaseTime: 3_600),
        PoolStats(name: "guest", subnet: "198.51.100.0/24", range: "198.51.100.10-198.51.100.109", size: 100, active: 88,
                  offered: 0, declined: 0, held: 4, free: 8, leaseTime: 1_800),
        PoolStats(name: "iot", subnet: "203.0.113.0/26", range: "203.0.113.2-203.0.113.51", size: 50, active: 48,
                  offered: 0, declined: 0, held: 0, free: 2, leaseTime: 86_400),
        PoolStats(name: "lan6", subnet: "2001:db8:1::/64", range: "2001:db8:1::100-2001:db8:1::1ff", family: "ia_na",
                  size: 256, active: 3, offered: 0, declined: 0, held: 0, free: 253, leaseTime: 7_200),
    ]

    static func lease(
        _ address: UInt8, state: LeaseState = .active, expiresIn: TimeInterval, hostname: String?, pool: String = "lan",
        owner: String = "range", version: UInt64, updatedAgo: TimeInterval
    ) -> Lease {
        var lease = Lease.v4(v4(address), state: state, expiresAt: now + expiresIn, owner: owner, hostname: hostname, pool: pool)
        lease.version = version
        lease.updatedAt = now - updatedAgo
        return lease
    }

    static var records: [LeaseRecord] {
        var records = [
            LeaseRecord(client: mac(0x11), lease: lease(10, expiresIn: 3 * 3_600 + 12 * 60 + 5, hostname: "laptop-anna", version: 41, updatedAgo: 300)),
            LeaseRecord(client: mac(0x12), lease: lease(11, expiresIn: 754, hostname: "Printer", version: 17, updatedAgo: 2_846)),
            LeaseRecord(client: mac(0x13), lease: lease(12, state: .offered, expiresIn: 45, hostname: nil, version: 60, updatedAgo: 15)),
            LeaseRecord(client: mac(0x14), lease: lease(13, state: .released, expiresIn: 754, hostname: "phone-bob", version: 58, updatedAgo: 120)),
            LeaseRecord(client: mac(0x15), lease: lease(14, state: .declined, expiresIn: 2 * 86_400 + 4 * 3_600, hostname: nil, owner: "range", version: 12, updatedAgo: 7_200)),
            LeaseRecord(client: mac(0x16), lease: lease(15, state: .expired, expiresIn: -30, hostname: "old-tv", version: 9, updatedAgo: 90_000)),
            LeaseRecord(client: .clientIdentifier([0x00, 0x67, 0x75, 0x65, 0x73, 0x74]),
                        lease: lease(20, expiresIn: 1_500, hostname: "guest-tablet", pool: "guest", owner: "range", version: 33, updatedAgo: 45)),
            LeaseRecord(client: mac(0x17), lease: lease(30, expiresIn: 50_000, hostname: "sensor-7", pool: "iot", owner: "static", version: 5, updatedAgo: 40_000)),
        ]
        let duid = ClientID.duid(try! DUID(bytes: [0x00, 0x01, 0x00, 0x01, 0x2c, 0x3d, 0x4e, 0x5f, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x21]))
        var na = Lease(
            kind: .iaNA, iaid: 1,
            elements: [
                LeaseElement(.ipv6(IPv6Address("2001:db8:1::105")!), preferredUntil: now + 1_800, validUntil: now + 3_600),
                LeaseElement(.ipv6(IPv6Address("2001:db8:1::106")!), preferredUntil: now + 600, validUntil: now + 1_200),
            ],
            expiresAt: now + 3_600, owner: "range6", attachments: ["range6": Data([0xde, 0xad, 0xbe, 0xef])],
            hostname: "ws-carol", pool: "lan6")
        na.version = 70
        na.updatedAt = now - 10
        var pd = Lease(
            kind: .iaPD, iaid: 2,
            elements: [LeaseElement(.prefix(IPv6Prefix("2001:db8:100::/56")!), preferredUntil: now + 7_200, validUntil: now + 14_400)],
            expiresAt: now + 14_400, owner: "pd", hostname: "ws-carol", pool: "pd")
        pd.version = 71
        pd.updatedAt = now - 10
        records.append(LeaseRecord(client: duid, lease: na))
        records.append(LeaseRecord(client: duid, lease: pd))
        return records
    }

    /// The snapshot, then a few changes at fixed times in the last minutes.
    static func state(readonly: Bool = false, width: Int = 80, height: Int = 24) -> DashboardState {
        var state = DashboardState(readonly: readonly, themeNames: ["default", "light", "mono"])
        state.screenWidth = width
        state.screenHeight = height
        _ = state.apply(ControlResponse(id: 1, event: .snapshot, status: status, pools: pools, leases: records), now: now - 600)
        for change in changes { _ = state.apply(ControlResponse(id: 1, event: .change, change: change.0), now: change.1) }
        state.refreshRows()
        return state
    }

    /// Changes that leave the snapshot's leases as they are (each re-states a lease), plus one
    /// deleted lease, so the event log has every kind.
    static var changes: [(LeaseChange, Date)] {
        let byClient = Dictionary(records.map { ($0.client, $0.lease) }, uniquingKeysWith: { a, _ in a })
        var gone = lease(40, expiresIn: -5, hostname: "visitor", version: 3, updatedAgo: 4_000)
        gone.state = .expired
        var renewedFrom = byClient[mac(0x11)]!
        renewedFrom.expiresAt = now - 100
        var releasedFrom = byClient[mac(0x14)]!
        releasedFrom.state = .active
        return [
            (LeaseChange(sequence: 1, client: mac(0x30), kind: .created, lease: gone, previous: nil, byReclaimer: false), now - 1_500),
            (LeaseChange(sequence: 2, client: mac(0x30), kind: .deleted, lease: gone, previous: gone, byReclaimer: true), now - 400),
            (LeaseChange(sequence: 3, client: mac(0x11), kind: .updated, lease: byClient[mac(0x11)]!, previous: renewedFrom,
                         byReclaimer: false), now - 300),
            (LeaseChange(sequence: 4, client: mac(0x14), kind: .updated, lease: byClient[mac(0x14)]!, previous: releasedFrom,
                         byReclaimer: false), now - 120),
            (LeaseChange(sequence: 5, client: mac(0x16), kind: .expired, lease: byClient[mac(0x16)]!, previous: nil,
                         byReclaimer: true), now - 65),
            (LeaseChange(sequence: 6, client: mac(0x13), kind: .created, lease: byClient[mac(0x13)]!, previous: nil,
                         byReclaimer: false), now - 15),
        ]
    }
}
