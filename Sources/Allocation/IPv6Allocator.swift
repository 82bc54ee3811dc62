public import DHCPWire
public import Foundation
import DequeModule
public import LeaseStore

/// Turns DHCPv6 IAs into leases from address or prefix pools: one instance per allocating
/// plugin (`range6` for IA_NA, `privacy` for IA_TA, `prefix` for IA_PD).
///
/// The same design as `IPv4Allocator`: the store is the authority on who holds what; the pools
/// here are a local view to pick a free resource fast, rebuilt from the store at start, kept
/// current by this allocator's own writes, the change stream and expiry callbacks.
/// Advertisements are held in memory until they lapse; REQUEST commits every IA of the message
/// in one `store.transact` with this allocator as writer. A stale view costs an
/// `addressInUse` retry, never a duplicate.
///
/// Each IA gets one lease (kind and IAID) with one element per resource.
public actor IPv6Allocator {
    /// IA_NA, IA_TA, IA_PD.
    public enum Kind: Sendable { case addresses, temporary, prefixes }

    public struct PoolSpec: Sendable {
        public enum Space: Sendable {
            /// An inclusive address range (IA_NA or IA_TA).
            case addresses(first: IPv6Address, last: IPv6Address)
            /// A prefix cut into delegated prefixes of `delegatedLength`, minus those overlapping `excluded`.
            case prefixes(IPv6Prefix, delegatedLength: Int, excluded: [IPv6Prefix])
        }

        public var name: String
        public var space: Space
        public var preferred: Duration
        public var valid: Duration

        public init(name: String, space: Space, preferred: Duration, valid: Duration) {
            self.name = name
            self.space = space
            self.preferred = preferred
            self.valid = valid
        }
    }

    /// One IA of a message: its IAID and the addresses or prefixes the client put in it.
    public struct IARequest: Sendable, Equatable {
        public var iaid: UInt32
        public var hints: [LeaseResource]

        public init(iaid: UInt32, hints: [LeaseResource] = []) {
            self.iaid = iaid
            self.hints = hints
        }
    }

    public enum IAOutcome: Sendable, Equatable {
        /// Committed (commit, renew) or proposed (advertise: state `offered`, nothing written).
        case granted(Lease)
        /// Nothing free: NoAddrsAvail / NoPrefixAvail.
        case unavailable
        /// Renew or rebind of an IA the client does not hold.
        case noBinding
        /// Renew or rebind of an IA whose resources are outside the given pools (the client moved).
        case notOnLink
    }

    public let owner: String
    public let kind: Kind
    private let store: any LeaseStore
    private let specs: [String: PoolSpec]
    private let poolOrder: [String]
    private var view: PoolSet6
    /// Resources pools must never hand out (reservations, server addresses).
    private var excluded: Set<LeaseResource> {
        didSet { excludedPrefixes = Self.prefixes(in: excluded) }
    }
    /// The prefixes among them: a delegated prefix overlapping one is excluded too.
    private var excludedPrefixes: [IPv6Prefix] = []

    private struct IAKey: Hashable {
        var client: ClientID
        var iaid: UInt32
    }
    private struct Offer {
        var resources: [LeaseResource]
        var until: Date
    }
    /// Outstanding advertisements, the order they lapse in, and what they hold.
    private var offers: [IAKey: Offer] = [:]
    private var offerQueue: Deque<(until: Date, key: IAKey)> = []
    private var offered: Set<LeaseResource> = []
    /// Addresses between a DECLINE and their quarantine lease: never freed meanwhile.
    private var quarantining: Set<LeaseResource> = []

    public init(owner: String, kind: Kind, store: any LeaseStore, pools: [PoolSpec], excluded: Set<LeaseResource> = []) {
        self.owner = owner
        self.kind = kind
        self.store = store
        self.excluded = excluded
        excludedPrefixes = Self.prefixes(in: excluded)
        var table: [String: PoolSpec] = [:]
        var order: [String] = []
        for spec in pools where table[spec.name] == nil {
            table[spec.name] = spec
            order.append(spec.name)
        }
        specs = table
        poolOrder = order
        view = PoolSet6(kind: kind, specs: order.compactMap { table[$0] })
        for resource in excluded { view.take(resource) }
    }

    /// The lease kind this allocator writes.
    public nonisolated var leaseKind: LeaseKind {
        switch kind {
        case .addresses: .iaNA
        case .temporary: .iaTA
        case .prefixes: .iaPD
        }
    }

    // MARK: Keeping the view current

    /// Reads every lease in the store and marks the resources they hold as taken. The view is
    /// reset before the read, so what this allocator commits meanwhile stays marked.
    public func rebuild() async throws {
        let kinds: Set<LeaseKind> = kind == .prefixes ? [.iaPD] : [.iaNA, .iaTA]
        resetPools()
        let records = try await store.all(matching: LeaseFilter(kinds: kinds))
        for record in records {
            for resource in record.lease.resources { markTaken(resource) }
        }
    }

    /// Keeps the local view in step with committed changes (run for the server's lifetime).
    public func follow(_ changes: LeaseChangeStream) async { await followChanges(changes) }

    public func apply(_ change: LeaseChange) {
        let before = Set(change.previous?.resources ?? [])
        let after = change.kind == .deleted ? [] : Set(change.lease.resources)
        for resource in before.subtracting(after) { markFree(resource) }
        for resource in after { markTaken(resource) }
    }

    /// The store's expiry callback: a deleted lease's resources go back to their pool (an
    /// expired one stays reserved for its client until the hold ends and it is deleted).
    public func expired(_ notice: ExpiryNotice) {
        guard notice.outcome == .deleted else { return }
        for resource in notice.lease.resources { markFree(resource) }
    }

    /// Registers `expired` as the store's expiry handler for this allocator's leases.
    public nonisolated func handleExpiry() {
        store.onExpiry(owner: owner) { [weak self] notice in await self?.expired(notice) }
    }

    /// Replaces the set of resources pools must not hand out (reservations changed). A
    /// formerly excluded resource is free again unless a lease holds it.
    public func setExcluded(_ resources: Set<LeaseResource>) async {
        let released = excluded.subtracting(resources)
        excluded = resources
        for resource in resources { markTaken(resource) }
        for resource in released where (try? await store.holder(of: resource)) == nil { markFree(resource) }
    }

    // MARK: Requests

    /// SOLICIT: per IA, the client's existing lease of this owner and kind if still in
    /// `pools`, else its held advertisement, else a free hinted resource inside `pools`, else
    /// any free one. Holds what it proposes (in memory) until `holdUntil`; writes nothing.
    /// Proposals are leases in state `offered`.
    public func advertise(
        _ client: ClientID, ias: [IARequest], pools: [String], now: Date, holdUntil: Date, hostname: String?
    ) async throws -> [UInt32: IAOutcome] {
        sweepOffers(now: now)
        let current = try await store.read(client)
        var outcomes: [UInt32: IAOutcome] = [:]
        for ia in unique(ias) {
            let key = IAKey(client: client, iaid: ia.iaid)
            if let lease = current.first(where: { $0.key == LeaseKey(kind: leaseKind, iaid: ia.iaid) }) {
                guard lease.owner == owner else {
                    outcomes[ia.iaid] = .unavailable  // another plugin's (a reservation): not ours to change
                    continue
                }
                if reusable(lease, in: pools, unavailable: [], now: now) {
                    outcomes[ia.iaid] = .granted(proposal(lease, now: now, hostname: hostname))
                    continue
                }
            }
            var picked: Set<LeaseResource> = []
            guard let resource = choose(key, ia, pools: pools, unavailable: [], picked: &picked) else {
                outcomes[ia.iaid] = .unavailable
                continue
            }
            hold([resource], for: key, until: holdUntil)
            outcomes[ia.iaid] = .granted(newLease(ia.iaid, [resource], state: .offered, now: now, hostname: hostname))
        }
        return outcomes
    }

    /// REQUEST (or SOLICIT with Rapid Commit): the same choice as `advertise` (this client's
    /// held advertisement first), committed for all IAs in one `store.transact` with this
    /// allocator as writer. Leases of other owners are left alone (their IAs are
    /// `.unavailable` here). A resource found held by another client is marked taken and
    /// another picked.
    public func commit(
        _ client: ClientID, ias: [IARequest], pools: [String], now: Date, hostname: String?
    ) async throws -> [UInt32: IAOutcome] {
        sweepOffers(now: now)
        let requests = unique(ias)
        let owner = owner
        // Taken in the local view by this call: what is not committed in the end goes back,
        // except what the store said other clients hold.
        var picked: Set<LeaseResource> = []
        var heldElsewhere: Set<LeaseResource> = []
        let result: TransactResult<Plan>
        do {
            result = try await store.transact(client, writer: owner) { tx -> Plan in
                heldElsewhere = tx.unavailable
                for resource in tx.unavailable {
                    markTaken(resource)
                    picked.remove(resource)  // held by another client: stays taken
                }
                var plan = Plan()
                for ia in requests {
                    let key = LeaseKey(kind: leaseKind, iaid: ia.iaid)
                    let index = tx.leases.firstIndex { $0.key == key }
                    if let index, tx.leases[index].owner != owner {
                        plan.outcomes[ia.iaid] = .unavailable
                        continue
                    }
                    if let index, reusable(tx.leases[index], in: pools, unavailable: tx.unavailable, now: now) {
                        if kind != .temporary { refresh(&tx.leases[index], now: now, hostname: hostname) }
                        plan.outcomes[ia.iaid] = .granted(tx.leases[index])
                        continue
                    }
                    guard let resource = choose(IAKey(client: client, iaid: ia.iaid), ia, pools: pools,
                                                unavailable: tx.unavailable, picked: &picked)
                    else {
                        plan.outcomes[ia.iaid] = .unavailable
                        continue
                    }
                    let lease = newLease(ia.iaid, [resource], state: .active, now: now, hostname: hostname)
                    if let index {
                        plan.replaced += tx.leases[index].resources
                        tx.leases[index] = lease
                    } else {
                        tx.leases.append(lease)
                    }
                    plan.outcomes[ia.iaid] = .granted(lease)
                }
                return plan
            }
        } catch {
            for resource in picked { markFree(resource) }
            throw error
        }
        let plan = result.value
        let held = Set(result.leases.flatMap { $0.resources })
        for resource in held { markTaken(resource) }
        for resource in picked.union(plan.replaced) where !held.contains(resource) { markFree(resource) }
        for ia in requests {
            guard case .granted = plan.outcomes[ia.iaid] else { continue }
            dropOffer(IAKey(client: client, iaid: ia.iaid), keeping: held.union(heldElsewhere))
        }
        return plan.outcomes
    }

    /// RENEW (`rebind` false) and REBIND (true): extends the client's leases of these IAIDs
    /// (expiresAt = now + valid, element lifetimes refreshed). Temporary addresses are kept
    /// but not extended: they live until their valid lifetime ends (RFC 8981).
    ///
    /// An IA the client does not hold is `.noBinding`, except that a REBIND may be granted
    /// the resources it carries when they are free and in `pools` (RFC 8415 §18.3.5). A held
    /// lease whose resources are outside `pools` is `.notOnLink`.
    public func renew(
        _ client: ClientID, ias: [IARequest], pools: [String], now: Date, rebind: Bool
    ) async throws -> [UInt32: IAOutcome] {
        let requests = unique(ias)
        let owner = owner
        var picked: Set<LeaseResource> = []
        let result: TransactResult<[UInt32: IAOutcome]>
        do {
            result = try await store.transact(client, writer: owner) { tx -> [UInt32: IAOutcome] in
                for resource in tx.unavailable {
                    markTaken(resource)
                    picked.remove(resource)
                }
                var outcomes: [UInt32: IAOutcome] = [:]
                for ia in requests {
                    let key = LeaseKey(kind: leaseKind, iaid: ia.iaid)
                    guard let index = tx.leases.firstIndex(where: { $0.key == key && $0.owner == owner }) else {
                        let taken = tx.leases.contains { $0.key == key }
                        if rebind, !taken, let resources = claimHints(ia, pools: pools, unavailable: tx.unavailable, picked: &picked) {
                            let lease = newLease(ia.iaid, resources, state: .active, now: now, hostname: nil)
                            tx.leases.append(lease)
                            outcomes[ia.iaid] = .granted(lease)
                        } else {
                            outcomes[ia.iaid] = .noBinding
                        }
                        continue
                    }
                    let lease = tx.leases[index]
                    if lease.state == .declined || lease.state == .offered {
                        outcomes[ia.iaid] = .noBinding
                    } else if !lease.resources.allSatisfy({ covers($0, in: pools) }) {
                        outcomes[ia.iaid] = .notOnLink
                    } else if kind == .temporary {
                        let alive = lease.state == .active && lease.expiresAt > now
                        outcomes[ia.iaid] = alive ? .granted(lease) : .noBinding
                    } else {
                        refresh(&tx.leases[index], now: now, hostname: nil)
                        outcomes[ia.iaid] = .granted(tx.leases[index])
                    }
                }
                return outcomes
            }
        } catch {
            for resource in picked { markFree(resource) }
            throw error
        }
        let held = Set(result.leases.flatMap { $0.resources })
        for resource in picked where !held.contains(resource) { markFree(resource) }
        return result.value
    }

    /// RELEASE: deletes the client's leases of these IAIDs; their resources are free at once.
    /// True for each IA that existed.
    public func release(_ client: ClientID, iaids: [UInt32]) async throws -> [UInt32: Bool] {
        let owner = owner
        let kind = leaseKind
        let result = try await store.transact(client, writer: owner) { tx -> (found: [UInt32: Bool], freed: [LeaseResource]) in
            var found: [UInt32: Bool] = [:]
            var freed: [LeaseResource] = []
            for iaid in iaids {
                let index = tx.leases.firstIndex { $0.key == LeaseKey(kind: kind, iaid: iaid) && $0.owner == owner }
                found[iaid] = index != nil
                if let index { freed += tx.leases.remove(at: index).resources }
            }
            return (found, freed)
        }
        for iaid in iaids { dropOffer(IAKey(client: client, iaid: iaid), keeping: []) }
        for resource in result.value.freed { markFree(resource) }
        return result.value.found
    }

    /// The holder of a quarantined (declined) address: not a client (see
    /// `IPv4Allocator.quarantineHolder(for:)`). Shown as `id:00…` with "declined <address>".
    public static func quarantineHolder(for address: IPv6Address) -> ClientID {
        quarantineClient(for: .ipv6(address))
    }

    /// DECLINE (addresses only): the declined addresses leave the client's leases (a lease
    /// left empty goes) and are quarantined under `quarantineHolder(for:)` until `until`.
    /// Returns how many of them the client held.
    @discardableResult
    public func decline(_ client: ClientID, addresses: [IPv6Address], until: Date) async throws -> Int {
        guard kind != .prefixes else { return 0 }
        let declined = Set(addresses.map(LeaseResource.ipv6))
        quarantining.formUnion(declined)
        defer { quarantining.subtract(declined) }
        let owner = owner
        let leaseKind = leaseKind
        let result = try await store.transact(client, writer: owner) { tx -> [LeaseResource] in
            var removed: [LeaseResource] = []
            for index in tx.leases.indices.reversed() where tx.leases[index].kind == leaseKind && tx.leases[index].owner == owner {
                let gone = tx.leases[index].resources.filter { declined.contains($0) }
                guard !gone.isEmpty else { continue }
                removed += gone
                tx.leases[index].elements.removeAll { declined.contains($0.resource) }
                if tx.leases[index].elements.isEmpty { tx.leases.remove(at: index) }
            }
            return removed
        }
        for resource in result.value {
            guard case .ipv6(let address) = resource else { continue }
            let quarantine = Lease(
                kind: leaseKind, elements: [LeaseElement(resource, preferredUntil: until, validUntil: until)], state: .declined,
                expiresAt: until, owner: owner, pool: poolName(of: resource))
            do {
                _ = try await store.transact(Self.quarantineHolder(for: address), writer: owner) { tx in tx.leases = [quarantine] }
                markTaken(resource)
            } catch let error as LeaseStoreError {
                // Someone took it between the two writes: it is theirs now, not quarantined.
                guard case .addressInUse = error.kind else { throw error }
                markTaken(resource)
            }
        }
        return result.value.count
    }

    /// CONFIRM: true when every resource lies inside one of `pools`' spaces.
    public func onLink(_ resources: [LeaseResource], pools: [String]) -> Bool {
        resources.allSatisfy { covers($0, in: pools) }
    }

    /// How each pool stands in this allocator's view, lapsed advertisements let go first.
    /// Sizes beyond `Int.max` (a /64) are clamped and flagged `saturated`; `size - free` is
    /// then still the number taken.
    public func usage(now: Date) -> [String: PoolUsage] {
        sweepOffers(now: now)
        var offeredIn: [String: Int] = [:]
        for resource in offered {
            if let name = poolName(of: resource) { offeredIn[name, default: 0] += 1 }
        }
        var usage: [String: PoolUsage] = [:]
        for name in poolOrder {
            guard let counts = view.counts(name) else { continue }
            let size = Int(clamping: counts.size)
            usage[name] = PoolUsage(
                size: size, free: max(0, size - Int(clamping: counts.taken)), offered: offeredIn[name] ?? 0,
                saturated: counts.size > UInt64(Int.max))
        }
        return usage
    }

    // MARK: Choosing

    private struct Plan: Sendable {
        var outcomes: [UInt32: IAOutcome] = [:]
        /// Resources of leases this commit replaced (the client moved).
        var replaced: [LeaseResource] = []
    }

    private func unique(_ ias: [IARequest]) -> [IARequest] {
        var seen = Set<UInt32>()
        return ias.filter { seen.insert($0.iaid).inserted }
    }

    /// Whether a lease of this allocator can be given again as it is: not declined, every
    /// resource in `pools`, none reserved or found held elsewhere (a temporary one only while valid).
    private func reusable(_ lease: Lease, in pools: [String], unavailable: Set<LeaseResource>, now: Date) -> Bool {
        guard lease.owner == owner, lease.state != .declined, lease.state != .offered else { return false }
        if kind == .temporary, lease.state != .active || lease.expiresAt <= now { return false }
        return lease.resources.allSatisfy { contains($0, in: pools) && !isExcluded($0) && !unavailable.contains($0) }
    }

    /// The resource for a new lease of `key`: its held advertisement, else a free hint (never
    /// for temporary addresses), else any free one (a random one for temporary addresses).
    /// What it takes from the view is added to `picked`, except the advertisement's (already held).
    private func choose(
        _ key: IAKey, _ ia: IARequest, pools: [String], unavailable: Set<LeaseResource>, picked: inout Set<LeaseResource>
    ) -> LeaseResource? {
        if let offer = offers[key],
            offer.resources.allSatisfy({ contains($0, in: pools) && !isExcluded($0) && !unavailable.contains($0) }),
            let resource = offer.resources.first
        {
            return resource
        }
        if kind != .temporary {
            for hint in ia.hints where !unavailable.contains(hint) && (picked.contains(hint) || takeIfFree(hint, in: pools)) {
                picked.insert(hint)
                return hint
            }
        }
        let seed = kind == .temporary ? UInt64.random(in: .min ... .max) : stableSeed(key.client, iaid: key.iaid)
        for name in pools {
            if let resource = view.allocate(in: name, seed: seed) {
                picked.insert(resource)
                return resource
            }
        }
        return nil
    }

    /// For a REBIND of an IA this server does not know: all the hints of the right type, when
    /// every one is free and in `pools` (taken then); nil otherwise.
    private func claimHints(
        _ ia: IARequest, pools: [String], unavailable: Set<LeaseResource>, picked: inout Set<LeaseResource>
    ) -> [LeaseResource]? {
        let hints = ia.hints.filter { leaseKind.accepts($0) && view.isDelegable($0) }
        guard !hints.isEmpty,
            hints.allSatisfy({ contains($0, in: pools) && !isExcluded($0) && !unavailable.contains($0) && (picked.contains($0) || !view.isTaken($0)) })
        else { return nil }
        for hint in hints where takeIfFree(hint, in: pools) { picked.insert(hint) }
        return hints
    }

    private func takeIfFree(_ resource: LeaseResource, in pools: [String]) -> Bool {
        view.isDelegable(resource) && view.contains(resource, in: pools) && !isExcluded(resource) && view.take(resource)
    }

    private func newLease(_ iaid: UInt32, _ resources: [LeaseResource], state: LeaseState, now: Date, hostname: String?) -> Lease {
        var lease = Lease(kind: leaseKind, iaid: iaid, elements: [], state: state, expiresAt: now, owner: owner, hostname: hostname)
        lease.elements = resources.map { LeaseElement($0) }
        refresh(&lease, now: now, hostname: hostname)
        lease.state = state
        return lease
    }

    /// Fresh lifetimes from the pool of the lease's first resource; state active.
    private func refresh(_ lease: inout Lease, now: Date, hostname: String?) {
        let pool = lease.resources.first.flatMap { poolName(of: $0) }
        let spec = pool.flatMap { specs[$0] }
        let preferredUntil = now.addingTimeInterval((spec?.preferred ?? .zero).timeInterval)
        let validUntil = now.addingTimeInterval((spec?.valid ?? .zero).timeInterval)
        lease.elements = lease.elements.map { LeaseElement($0.resource, preferredUntil: preferredUntil, validUntil: validUntil) }
        lease.expiresAt = validUntil
        lease.state = .active
        lease.pool = pool ?? lease.pool
        lease.hostname = hostname ?? lease.hostname
    }

    private func proposal(_ lease: Lease, now: Date, hostname: String?) -> Lease {
        var proposal = lease
        refresh(&proposal, now: now, hostname: hostname)
        proposal.state = .offered
        return proposal
    }

    // MARK: Advertisements

    private func hold(_ resources: [LeaseResource], for key: IAKey, until: Date) {
        if let previous = offers[key] {
            for resource in previous.resources where !resources.contains(resource) {
                offered.remove(resource)
                markFree(resource)
            }
        }
        offers[key] = Offer(resources: resources, until: until)
        offerQueue.append((until, key))
        offered.formUnion(resources)
        for resource in resources { markTaken(resource) }
    }

    /// Forgets the advertisement of `key`; its resources not in `keeping` go back to the pool.
    private func dropOffer(_ key: IAKey, keeping: Set<LeaseResource>) {
        guard let offer = offers.removeValue(forKey: key) else { return }
        for resource in offer.resources {
            offered.remove(resource)
            if !keeping.contains(resource) { markFree(resource) }
        }
    }

    /// Lets lapsed advertisements go (the change stream marks taken again whatever a lease
    /// took meanwhile).
    private func sweepOffers(now: Date) {
        while let first = offerQueue.first, first.until <= now {
            offerQueue.removeFirst()
            if let offer = offers[first.key], offer.until <= now { dropOffer(first.key, keeping: []) }
        }
    }

    // MARK: The local view

    private func resetPools() {
        view = PoolSet6(kind: kind, specs: poolOrder.compactMap { specs[$0] })
        for resource in excluded.union(offered) { view.take(resource) }
    }

    private func contains(_ resource: LeaseResource, in pools: [String]) -> Bool { view.contains(resource, in: pools) }
    private func covers(_ resource: LeaseResource, in pools: [String]) -> Bool { view.covers(resource, in: pools) }
    private func poolName(of resource: LeaseResource) -> String? { view.poolName(of: resource) }
    private func markTaken(_ resource: LeaseResource) { view.take(resource) }

    private func markFree(_ resource: LeaseResource) {
        guard !isExcluded(resource), !quarantining.contains(resource), !offered.contains(resource) else { return }
        view.free(resource)
    }

    private static func prefixes(in resources: Set<LeaseResource>) -> [IPv6Prefix] {
        resources.compactMap { if case .prefix(let prefix) = $0 { prefix } else { nil } }
    }

    /// Excluded itself, or (a prefix) overlapping an excluded prefix.
    private func isExcluded(_ resource: LeaseResource) -> Bool {
        if excluded.contains(resource) { return true }
        guard case .prefix(let prefix) = resource else { return false }
        return excludedPrefixes.contains { $0.contains(prefix.address) || prefix.contains($0.address) }
    }
}

/// The pools of one `IPv6Allocator` by name: the resources they can hand out and which are taken.
struct PoolSet6: Sendable {
    let kind: IPv6Allocator.Kind
    let order: [String]
    private var addressPools: [String: IPv6AddressPool] = [:]
    private var prefixPools: [String: IPv6PrefixPool] = [:]

    /// Builds the pools of `specs` whose space suits `kind` (address ranges for IA_NA and
    /// IA_TA, prefixes for IA_PD); the others are ignored.
    init(kind: IPv6Allocator.Kind, specs: [IPv6Allocator.PoolSpec]) {
        self.kind = kind
        var order: [String] = []
        for spec in specs {
            switch (kind, spec.space) {
            case (.addresses, .addresses(let first, let last)), (.temporary, .addresses(let first, let last)):
                addressPools[spec.name] = IPv6AddressPool(name: spec.name, first: first, last: last)
            case (.prefixes, .prefixes(let prefix, let length, let excluded)):
                prefixPools[spec.name] = IPv6PrefixPool(name: spec.name, prefix: prefix, delegatedLength: length, excluded: excluded)
            default:
                continue
            }
            order.append(spec.name)
        }
        self.order = order
    }

    /// Size and taken count of a pool, sizes clamped at UInt64.max.
    func counts(_ name: String) -> (size: UInt64, taken: UInt64)? {
        if let pool = addressPools[name] { return (pool.size, pool.takenCount) }
        if let pool = prefixPools[name] { return (pool.size, pool.takenCount) }
        return nil
    }

    /// A resource one of the pools could hand out as it is (an address, or a prefix of a
    /// pool's delegated length).
    func isDelegable(_ resource: LeaseResource) -> Bool {
        switch resource {
        case .ipv6: kind != .prefixes
        case .prefix(let prefix): prefixPools.values.contains { $0.contains(prefix) }
        case .ipv4: false
        }
    }

    /// Whether the resource's pool is one of `pools`.
    func contains(_ resource: LeaseResource, in pools: [String]) -> Bool {
        guard let name = poolName(of: resource) else { return false }
        return pools.contains(name)
    }

    /// Whether the resource lies inside one of `pools`' spaces (a prefix of any length).
    func covers(_ resource: LeaseResource, in pools: [String]) -> Bool {
        pools.contains { name in
            switch resource {
            case .ipv6(let address): addressPools[name]?.contains(address) ?? false
            case .prefix(let prefix): prefixPools[name]?.covers(prefix) ?? false
            case .ipv4: false
            }
        }
    }

    func poolName(of resource: LeaseResource) -> String? {
        switch resource {
        case .ipv6(let address): order.first { addressPools[$0]?.contains(address) ?? false }
        case .prefix(let prefix): order.first { prefixPools[$0]?.covers(prefix) ?? false }
        case .ipv4: nil
        }
    }

    /// True for resources outside every pool.
    func isTaken(_ resource: LeaseResource) -> Bool {
        guard let name = poolName(of: resource) else { return true }
        switch resource {
        case .ipv6(let address): return addressPools[name]?.isTaken(address) ?? true
        case .prefix(let prefix): return prefixPools[name]?.isTaken(prefix) ?? true
        case .ipv4: return true
        }
    }

    /// Marks a resource taken; false if it already was or lies outside every pool.
    @discardableResult
    mutating func take(_ resource: LeaseResource) -> Bool {
        guard let name = poolName(of: resource) else { return false }
        switch resource {
        case .ipv6(let address): return addressPools[name]?.take(address) ?? false
        case .prefix(let prefix): return prefixPools[name]?.take(prefix) ?? false
        case .ipv4: return false
        }
    }

    mutating func free(_ resource: LeaseResource) {
        guard let name = poolName(of: resource) else { return }
        switch resource {
        case .ipv6(let address): addressPools[name]?.free(address)
        case .prefix(let prefix): prefixPools[name]?.free(prefix)
        case .ipv4: break
        }
    }

    mutating func allocate(in name: String, seed: UInt64) -> LeaseResource? {
        switch kind {
        case .addresses, .temporary: addressPools[name]?.allocate(seed: seed).map(LeaseResource.ipv6)
        case .prefixes: prefixPools[name]?.allocate(seed: seed).map(LeaseResource.prefix)
        }
    }
}

/// The holder of a quarantined resource, shared by the v4 and v6 allocators: `id:00` and the
/// text "declined <resource>".
func quarantineClient(for resource: LeaseResource) -> ClientID {
    .clientIdentifier([0] + Array("declined \(resource)".utf8))
}
