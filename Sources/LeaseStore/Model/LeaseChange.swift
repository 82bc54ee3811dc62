import Foundation

/// One committed change to one lease. Every commit produces exactly one change per lease it
/// created, modified or deleted, published in commit order (DESIGN.md §3 invariant 4).
public struct LeaseChange: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case created
        case updated
        /// The store reclaimed an active lease at its expiry; it stays reserved for the client
        /// for the hold time (state `expired`).
        case expired
        case deleted
    }

    /// Per-store, strictly increasing in publication order (assigned when published).
    public var sequence: UInt64
    public var client: ClientID
    public var kind: Kind
    /// The lease after the change; for `deleted`, the last state it had.
    public var lease: Lease
    /// The lease before the change (nil for `created`).
    public var previous: Lease?
    /// True when the store's expiry reclaimer made the change rather than a consumer.
    public var byReclaimer: Bool

    public init(sequence: UInt64 = 0, client: ClientID, kind: Kind, lease: Lease, previous: Lease?, byReclaimer: Bool) {
        self.sequence = sequence
        self.client = client
        self.kind = kind
        self.lease = lease
        self.previous = previous
        self.byReclaimer = byReclaimer
    }
}

/// What a change subscriber receives: a change, or notice that it fell behind and missed
/// changes (it should take a fresh snapshot with `page`, then continue).
public enum LeaseChangeEvent: Hashable, Sendable {
    case change(LeaseChange)
    case overflow
}

/// What the owner's expiry handler is told about one reclaimed lease.
public struct ExpiryNotice: Hashable, Sendable {
    public enum Outcome: Hashable, Sendable {
        /// An active lease lapsed; its elements stay reserved for the client until `lease.expiresAt`.
        case expired
        /// The lease is gone and its elements are free for anyone.
        case deleted
    }

    public var client: ClientID
    public var lease: Lease
    public var outcome: Outcome

    public init(client: ClientID, lease: Lease, outcome: Outcome) {
        self.client = client
        self.lease = lease
        self.outcome = outcome
    }
}

/// The result of one bounded reclamation pass.
public struct ReclaimReport: Hashable, Sendable {
    public var expired = 0
    public var deleted = 0
    /// True when the pass stopped at its lease or time cap with more work due.
    public var moreDue = false

    public init(expired: Int = 0, deleted: Int = 0, moreDue: Bool = false) {
        self.expired = expired
        self.deleted = deleted
        self.moreDue = moreDue
    }
}
