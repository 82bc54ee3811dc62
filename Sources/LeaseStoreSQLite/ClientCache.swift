import LeaseStore
import Synchronization

/// Write-through cache of clients' leases for the SQLite provider. One process owns the file,
/// so every commit passes through here and the cache can answer `lookup` and `read` without
/// touching SQLite — the reads were a fifth of the server's work per DORA.
///
/// Consistency: commits overwrite entries after they are durable; a miss fills an entry only
/// when none exists (a commit that raced the miss wins). Should a stale entry ever exist, the
/// compare-and-swap in the writer still refuses the update and `update` drops the entry, so
/// the next lookup reads the database again.
final class ClientCache: Sendable {
    private let entries = Mutex<[ClientID: (version: UInt64, leases: [Lease])]>([:])
    private let capacity: Int

    init(capacity: Int) { self.capacity = max(0, capacity) }

    func get(_ client: ClientID) -> (version: UInt64, leases: [Lease])? {
        entries.withLock { $0[client] }
    }

    func fill(_ client: ClientID, version: UInt64, leases: [Lease]) {
        guard capacity > 0 else { return }
        entries.withLock { entries in
            guard entries[client] == nil else { return }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }  // crude, but rare and self-healing
            entries[client] = (version, leases)
        }
    }

    /// After a commit: the client's whole lease set as stored (none: version 0, as a lookup
    /// of an absent client reads).
    func store(_ client: ClientID, version: UInt64, leases: [Lease]) {
        guard capacity > 0 else { return }
        entries.withLock { entries in
            if entries[client] == nil, entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[client] = leases.isEmpty ? (0, []) : (version, leases)
        }
    }

    func invalidate(_ client: ClientID) { _ = entries.withLock { $0.removeValue(forKey: client) } }
}
