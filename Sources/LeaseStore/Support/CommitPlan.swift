package import Foundation

/// The provider-independent half of `update` and of expiry: validates a new lease set
/// against the old one and the writer's rights, stamps versions, and lists the changes.
/// Providers add the parts that need their storage: the version compare-and-swap and the
/// unique index on elements.
package struct CommitPlan: Sendable {
    /// The client's leases after the commit, ordered by key, with versions stamped.
    package var leases: [Lease]
    package var changes: [LeaseChange]
    /// Elements the client holds after the commit that it did not hold before.
    package var claimed: [LeaseResource]
    /// Elements the client held before and no longer holds.
    package var freed: [LeaseResource]

    package var isEmpty: Bool { changes.isEmpty }

    /// Plans a consumer's update. Throws `invalidArgument` when the new set is malformed or the
    /// writer touches a lease it does not own.
    package static func update(
        client: ClientID, old: [Lease], new: [Lease], writer: String, version: UInt64, now: Date
    ) throws(LeaseStoreError) -> CommitPlan {
        var seenKeys = Set<LeaseKey>()
        var seenResources = Set<LeaseResource>()
        for lease in new {
            guard seenKeys.insert(lease.key).inserted else {
                throw .invalidArgument("\(client) has two leases for \(lease.key)")
            }
            guard !lease.elements.isEmpty else { throw .invalidArgument("lease \(lease.key) of \(client) has no elements") }
            guard !lease.owner.isEmpty else { throw .invalidArgument("lease \(lease.key) of \(client) has no owner") }
            if lease.kind == .v4, lease.iaid != 0 { throw .invalidArgument("a v4 lease has IAID 0") }
            for element in lease.elements {
                guard lease.kind.accepts(element.resource) else {
                    throw .invalidArgument("a \(lease.kind) lease cannot hold \(element.resource)")
                }
                guard seenResources.insert(element.resource).inserted else {
                    throw .invalidArgument("\(element.resource) appears twice in the leases of \(client)")
                }
            }
        }
        let oldByKey = Dictionary(old.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let newKeys = Set(new.map { $0.key })
        var plan = CommitPlan(leases: [], changes: [], claimed: [], freed: [])

        for lease in new.sorted(by: { $0.key < $1.key }) {
            if let previous = oldByKey[lease.key] {
                if lease.hasSameContent(as: previous) {
                    plan.leases.append(previous)
                    continue
                }
                try checkRights(writer: writer, old: previous, new: lease, client: client)
                let stamped = stamp(lease, version: version, now: now)
                plan.leases.append(stamped)
                plan.changes.append(LeaseChange(client: client, kind: .updated, lease: stamped, previous: previous, byReclaimer: false))
            } else {
                guard writer == lease.owner else {
                    throw .invalidArgument("\(writer) cannot create a lease owned by \(lease.owner)")
                }
                let stamped = stamp(lease, version: version, now: now)
                plan.leases.append(stamped)
                plan.changes.append(LeaseChange(client: client, kind: .created, lease: stamped, previous: nil, byReclaimer: false))
            }
        }
        for previous in old.sorted(by: { $0.key < $1.key }) where !newKeys.contains(previous.key) {
            guard writer == previous.owner || writer == LeaseWriter.operator else {
                throw .invalidArgument("\(writer) cannot delete \(previous.key) of \(client), owned by \(previous.owner)")
            }
            plan.changes.append(LeaseChange(client: client, kind: .deleted, lease: previous, previous: previous, byReclaimer: false))
        }
        let before = Set(old.flatMap { $0.resources })
        let after = Set(plan.leases.flatMap { $0.resources })
        plan.claimed = after.subtracting(before).sorted()
        plan.freed = before.subtracting(after).sorted()
        return plan
    }

    /// What expiry does to one client's leases at `now`: active leases past `expiresAt`
    /// become `expired` (reserved for `hold` more), any other lease past `expiresAt` is deleted.
    /// `due` limits the pass to those keys (the provider's batch).
    package static func expiry(
        client: ClientID, old: [Lease], due: Set<LeaseKey>, hold: Duration, version: UInt64, now: Date
    ) -> (plan: CommitPlan, notices: [ExpiryNotice]) {
        var plan = CommitPlan(leases: [], changes: [], claimed: [], freed: [])
        var notices: [ExpiryNotice] = []
        for lease in old.sorted(by: { $0.key < $1.key }) {
            guard due.contains(lease.key), lease.expiresAt <= now else {
                plan.leases.append(lease)
                continue
            }
            if lease.state == .active {
                var expired = lease
                expired.state = .expired
                expired.expiresAt = lease.expiresAt.addingTimeInterval(hold.timeInterval)
                expired = stamp(expired, version: version, now: now)
                plan.leases.append(expired)
                plan.changes.append(LeaseChange(client: client, kind: .expired, lease: expired, previous: lease, byReclaimer: true))
                notices.append(ExpiryNotice(client: client, lease: expired, outcome: .expired))
            } else {
                plan.freed += lease.resources
                plan.changes.append(LeaseChange(client: client, kind: .deleted, lease: lease, previous: lease, byReclaimer: true))
                notices.append(ExpiryNotice(client: client, lease: lease, outcome: .deleted))
            }
        }
        return (plan, notices)
    }

    private static func checkRights(writer: String, old: Lease, new: Lease, client: ClientID) throws(LeaseStoreError) {
        if writer == old.owner {
            guard new.owner == old.owner else {
                throw .invalidArgument("\(writer) cannot hand \(old.key) of \(client) to \(new.owner)")
            }
            return
        }
        guard writer == LeaseWriter.operator else {
            throw .invalidArgument("\(writer) cannot change \(old.key) of \(client), owned by \(old.owner)")
        }
        // The operator changes state and expiry only.
        var allowed = old
        allowed.state = new.state
        allowed.expiresAt = new.expiresAt
        guard new.hasSameContent(as: allowed) else {
            throw .invalidArgument("an operator may change only the state and expiry of \(old.key) of \(client)")
        }
    }

    private static func stamp(_ lease: Lease, version: UInt64, now: Date) -> Lease {
        var lease = lease
        lease.version = version
        lease.updatedAt = now
        return lease
    }
}
