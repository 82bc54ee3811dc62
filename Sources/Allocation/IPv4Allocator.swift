public import DHCPWire
public import Foundation
import DequeModule
public import LeaseStore

/// Turns DHCPv4 requests into leases from address pools (the `range` plugin's engine).
///
/// The store is the authority on who holds what (its unique index); the pools here are a
/// fast local view used to pick a free address in O(1). The view is rebuilt from the store
/// at start, updated by this allocator's own commits, and kept current with everything
/// else (expiry, operators, other servers) through the store's change stream. A stale view
/// costs one `addressInUse` retry, never a duplicate.
public actor IPv4Allocator {
    public struct PoolSpec: Sendable {
        public var name: String
        public var first: IPv4Address
        public var last: IPv4Address

        public init(name: String, first: IPv4Address, last: IPv4Address) {
            self.name = name
            self.first = first
            self.last = last
        }
    }

    /// What an allocation request may use and what it writes.
    public struct Request: Sendable {
        public var client: ClientID
        /// Pools the client may get an address from (its subnet's, or its shared network's).
        public var pools: [String]
        /// An address the client asked for (option 50, or ciaddr when renewing).
        public var requested: IPv4Address?
        public var hostname: String?
        public var leaseTime: Duration
        public var now: Date

        public init(client: ClientID, pools: [String], requested: IPv4Address?, hostname: String?, leaseTime: Duration, now: Date) {
            self.client = client
            self.pools = pools
            self.requested = requested
            self.hostname = hostname
            self.leaseTime = leaseTime
            self.now = now
        }
    }

    public enum CommitOutcome: Sendable, Equatable {
        /// The lease is active and stored: send the ACK.
        case committed(Lease)
        /// The address is not ours to give this client (held by another, reserved, or not
        /// in its pools): send a NAK.
        case refused(String)
    }

    public let owner: String
    private let store: any LeaseStore
    private var pools: [String: IPv4Pool] = [:]
    private var poolOrder: [String] = []
    /// Addresses pools must never hand out (static reservations, server addresses).
    private var excluded: Set<IPv4Address>
    private struct Offer {
        var address: IPv4Address
        var until: Date
    }
    /// Outstanding offers, and the order they lapse in.
    private var offers: [ClientID: Offer] = [:]
    private var offerQueue: Deque<(until: Date, client: ClientID)> = []
    /// Addresses between a client's DECLINE and their quarantine lease: never freed meanwhile.
    private var quarantining: Set<IPv4Address> = []

    public init(owner: String, store: any LeaseStore, pools: [PoolSpec], excluded: Set<IPv4Address> = []) {
        self.owner = owner
        self.store = store
        self.excluded = excluded
        var built: [String: IPv4Pool] = [:]
        for spec in pools {
            guard var pool = IPv4Pool(name: spec.name, first: spec.first, last: spec.last) else { continue }
            for address in excluded { pool.take(address) }
            built[spec.name] = pool
            poolOrder.append(spec.name)
        }
        self.pools = built
    }

    /// Reads every lease in the store and marks the addresses they hold as taken.
    public func rebuild() async throws {
        for name in poolOrder {
            guard let old = pools[name], let fresh = IPv4Pool(name: name, first: old.first, last: old.last) else { continue }
            pools[name] = fresh
        }
        for address in excluded { markTaken(address) }
        for record in try await store.all(matching: LeaseFilter(kinds: [.v4])) {
            for case .ipv4(let address) in record.lease.resources { markTaken(address) }
        }
    }

    /// Keeps the local view in step with committed changes (run for the server's lifetime).
    public func follow(_ changes: LeaseChangeStream) async { await followChanges(changes) }

    /// Replaces the set of addresses pools must not hand out (reservations changed).
    public func setExcluded(_ addresses: Set<IPv4Address>) async {
        let released = excluded.subtracting(addresses)
        excluded = addresses
        for address in addresses { markTaken(address) }
        // A formerly reserved address is free again unless a lease holds it.
        for address in released where (try? await store.holder(of: .ipv4(address))) == nil { markFree(address) }
    }

    /// The store's expiry callback: a deleted lease's address goes back to its pool (an
    /// expired one stays reserved for its client until the hold ends and it is deleted).
    public func expired(_ notice: ExpiryNotice) {
        guard notice.outcome == .deleted else { return }
        for case .ipv4(let address) in notice.lease.resources { markFree(address) }
    }

    /// Registers `expired` as the store's expiry handler for this allocator's leases.
    public nonisolated func handleExpiry() {
        store.onExpiry(owner: owner) { [weak self] notice in await self?.expired(notice) }
    }

    public func apply(_ change: LeaseChange) {
        let before = Set(change.previous?.resources ?? [])
        let after = change.kind == .deleted ? [] : Set(change.lease.resources)
        for case .ipv4(let address) in before.subtracting(after) where !excluded.contains(address) { markFree(address) }
        for case .ipv4(let address) in after { markTaken(address) }
    }

    public func contains(_ address: IPv4Address, in poolNames: [String]) -> Bool {
        poolNames.contains { pools[$0]?.contains(address) == true }
    }

    // MARK: Requests

    /// DHCPDISCOVER: picks the address to offer and holds it for the client until
    /// `holdUntil`, in memory: an offer is a promise, not a lease, so a DISCOVER writes
    /// nothing (one durable write per DORA, at the REQUEST). Prefers the client's current or
    /// previous address, then its unexpired offer, then the address it asked for, then any
    /// free one. Returns nil when the pools are exhausted.
    ///
    /// On a store shared by several servers two of them may offer one address to two
    /// clients; the store's unique index lets only one REQUEST win, the other client is
    /// NAKed and starts again (as with Kea on a shared lease database).
    public func offer(_ request: Request, holdUntil: Date) async throws -> IPv4Address? {
        sweepOffers(now: request.now)
        let current = try await store.read(request.client).first { $0.kind == .v4 }
        if let current, let address = current.ipv4 {
            if current.owner == owner, contains(address, in: request.pools), current.state != .declined {
                return address  // its own lease (active, expired or released): the store holds it already
            }
            if current.owner != owner, current.state != .declined { return nil }  // another allocator's client
        }
        if let offer = offers[request.client], contains(offer.address, in: request.pools) {
            hold(offer.address, for: request.client, until: holdUntil)
            return offer.address
        }
        guard let address = pick(request, avoiding: []) else { return nil }
        hold(address, for: request.client, until: holdUntil)
        return address
    }

    /// Addresses currently offered and not yet requested (for statistics).
    public var offeredCount: Int { offers.count }

    /// How each pool's addresses stand in this allocator's view, lapsed offers let go first
    /// (the control socket's `pools`). Keyed by pool name.
    public func usage(now: Date) -> [String: PoolUsage] {
        sweepOffers(now: now)
        var offered: [String: Int] = [:]
        for offer in offers.values {
            if let name = poolName(of: offer.address) { offered[name, default: 0] += 1 }
        }
        var usage: [String: PoolUsage] = [:]
        for (name, pool) in pools {
            usage[name] = PoolUsage(size: pool.size, free: pool.freeCount, offered: offered[name] ?? 0)
        }
        return usage
    }

    /// DHCPREQUEST: makes `address` the client's active lease until now + lease time, when it
    /// is the client's (offered, active, expired, released) or free in its pools.
    public func commit(_ request: Request, address: IPv4Address) async throws -> CommitOutcome {
        let owner = owner
        guard contains(address, in: request.pools) else { return .refused("\(address) is not in the client's pools") }
        guard !excluded.contains(address) else { return .refused("\(address) is reserved") }
        do {
            let result = try await store.transact(request.client, writer: owner) { tx -> CommitOutcome in
                if !tx.unavailable.isEmpty { return .refused("\(address) is held by another client") }
                var leases = tx.leases
                let index = leases.firstIndex { $0.kind == .v4 }
                if let index, leases[index].owner != owner { return .refused("the client's lease belongs to \(leases[index].owner)") }
                if let index, leases[index].ipv4 == address, leases[index].state == .declined {
                    return .refused("\(address) was declined")
                }
                var lease = index.map { leases[$0] } ?? Lease.v4(address, expiresAt: request.now, owner: owner)
                lease.elements = [LeaseElement(.ipv4(address))]
                lease.state = .active
                lease.expiresAt = request.now.addingTimeInterval(request.leaseTime.timeInterval)
                lease.hostname = request.hostname ?? lease.hostname
                lease.pool = self.poolName(of: address)
                if let index { leases[index] = lease } else { leases.append(lease) }
                tx.leases = leases
                return .committed(lease)
            }
            if case .committed = result.value {
                markTaken(address)
                if let offer = offers.removeValue(forKey: request.client), offer.address != address { markFree(offer.address) }
            }
            return result.value
        } catch let error as LeaseStoreError {
            if case .addressInUse = error.kind { return .refused("\(address) is held by another client") }
            throw error
        }
    }

    /// The holder of a quarantined (declined) address: not a client, so the client that
    /// declined can be given another address while the declined one stays out of every pool
    /// (Kea keeps declined leases without a client the same way). Shown as `id:00…` with the
    /// text "declined <address>".
    public static func quarantineHolder(for address: IPv4Address) -> ClientID {
        quarantineClient(for: .ipv4(address))
    }

    /// DHCPDECLINE: the client found `address` in use on the link. Its lease goes, and the
    /// address is quarantined until `until` under `quarantineHolder(for:)`.
    @discardableResult
    public func decline(_ client: ClientID, address: IPv4Address, until: Date) async throws -> Bool {
        quarantining.insert(address)
        defer { quarantining.remove(address) }
        guard try await changeOwnLease(client, address: address, { _ in false }) else { return false }
        let owner = owner
        let pool = poolName(of: address)
        _ = try await store.transact(Self.quarantineHolder(for: address), writer: owner) { tx in
            tx.leases = [Lease.v4(address, state: .declined, expiresAt: until, owner: owner, pool: pool)]
        }
        markTaken(address)
        return true
    }

    /// DHCPRELEASE: the client gives `address` back; it returns to the pool at once.
    @discardableResult
    public func release(_ client: ClientID, address: IPv4Address) async throws -> Bool {
        let freed = try await changeOwnLease(client, address: address) { _ in false }
        if freed { markFree(address) }
        return freed
    }

    /// Forgets an offer the client turned down (it chose another server).
    @discardableResult
    public func withdrawOffer(_ client: ClientID) async throws -> Bool {
        guard let offer = offers.removeValue(forKey: client) else { return false }
        if try await store.holder(of: .ipv4(offer.address)) == nil { markFree(offer.address) }
        return true
    }

    /// Runs `change` on the client's own v4 lease for `address`: true keeps the edited lease,
    /// false deletes it. Returns whether such a lease existed.
    private func changeOwnLease(_ client: ClientID, address: IPv4Address, _ change: @Sendable @escaping (inout Lease) -> Bool) async throws -> Bool {
        let owner = owner
        let result = try await store.transact(client, writer: owner) { tx -> Bool in
            guard let index = tx.leases.firstIndex(where: { $0.kind == .v4 && $0.owner == owner && $0.ipv4 == address }) else {
                return false
            }
            var lease = tx.leases[index]
            if change(&lease) { tx.leases[index] = lease } else { tx.leases.remove(at: index) }
            return true
        }
        return result.value
    }

    // MARK: The local view

    private func pick(_ request: Request, avoiding unavailable: Set<LeaseResource>) -> IPv4Address? {
        for address in unavailable.compactMap({ if case .ipv4(let a) = $0 { a } else { nil } }) { markTaken(address) }
        if let requested = request.requested, contains(requested, in: request.pools), !excluded.contains(requested),
            !unavailable.contains(.ipv4(requested)), let name = poolName(of: requested), pools[name]?.take(requested) == true
        {
            return requested
        }
        for name in request.pools {
            if let address = pools[name]?.allocate() { return address }
        }
        return nil
    }

    private func hold(_ address: IPv4Address, for client: ClientID, until: Date) {
        if let previous = offers[client], previous.address != address { markFree(previous.address) }
        offers[client] = Offer(address: address, until: until)
        offerQueue.append((until, client))
        markTaken(address)
    }

    /// Lets lapsed offers go. Their addresses return to the pool unless something else took
    /// them meanwhile (the change stream marks those taken again).
    private func sweepOffers(now: Date) {
        while let first = offerQueue.first, first.until <= now {
            offerQueue.removeFirst()
            if let offer = offers[first.client], offer.until <= now {
                offers[first.client] = nil
                markFree(offer.address)
            }
        }
    }

    private func poolName(of address: IPv4Address) -> String? {
        poolOrder.first { pools[$0]?.contains(address) == true }
    }

    private func markTaken(_ address: IPv4Address?) {
        guard let address, let name = poolName(of: address) else { return }
        pools[name]?.take(address)
    }

    private func markFree(_ address: IPv4Address) {
        guard !excluded.contains(address), !quarantining.contains(address), let name = poolName(of: address) else { return }
        pools[name]?.free(address)
    }
}

/// One pool as the allocator sees it: its size, the addresses it can hand out now, and those
/// offered (held in memory for a client's REQUEST, not in the store).
public struct PoolUsage: Sendable, Equatable {
    public var size: Int
    public var free: Int
    public var offered: Int
    /// The pool is larger than `Int.max` (an IPv6 /64): `size` is clamped there, and
    /// `size - free` is still the number taken.
    public var saturated: Bool

    public init(size: Int, free: Int, offered: Int, saturated: Bool = false) {
        self.size = size
        self.free = free
        self.offered = offered
        self.saturated = saturated
    }
}

extension Lease {
    /// The IPv4 address of a v4 lease.
    public var ipv4: IPv4Address? {
        for case .ipv4(let address) in resources { return address }
        return nil
    }
}
