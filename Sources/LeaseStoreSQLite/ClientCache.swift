import LeaseStore
import Synchronization

/// A client's leases and the version the compare-and-swap of `update` checks (0: no leases).
struct ClientLeases: Sendable {
    var version: UInt64
    var leases: [Lease]
}

/// Clients' leases in memory for the SQLite provider. One process owns the file, so every
/// commit passes through here and `lookup` and `read` need not touch SQLite.
///
/// Complete mode (the normal case): at open the whole database fits within `capacity`, so it
/// is loaded, and from then on the cache holds every client; a client it does not know has no
/// leases. Entries change only after their commit is durable, in commit order, so they are
/// exact, and the commit path uses them instead of reading its own rows back.
///
/// Partial mode (more clients than `capacity`): a miss reads SQLite and fills an entry; an
/// entry can then be stale (a fill that raced a commit and an eviction), which the writer's
/// compare-and-swap against SQLite catches, and `update` drops the entry on conflict.
final class ClientCache: Sendable {
    private struct State {
        var entries: [ClientID: ClientLeases] = [:]
        var complete = false
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int) { self.capacity = max(0, capacity) }

    /// Whether every client is in memory (absent means no leases).
    var isComplete: Bool { state.withLock { $0.complete } }

    /// Takes the whole database as loaded at open: complete mode.
    func load(_ clients: [ClientID: ClientLeases]) {
        state.withLock { $0 = State(entries: clients, complete: true) }
    }

    /// What a lookup answers from memory; nil means "read SQLite".
    func get(_ client: ClientID) -> ClientLeases? {
        state.withLock { state in
            state.entries[client] ?? (state.complete ? ClientLeases(version: 0, leases: []) : nil)
        }
    }

    /// The committed state, for the writer: only in complete mode, where entries are exact.
    func exact(_ client: ClientID) -> ClientLeases? {
        state.withLock { state in
            guard state.complete else { return nil }
            return state.entries[client] ?? ClientLeases(version: 0, leases: [])
        }
    }

    /// After a miss in partial mode. A commit that raced the read has already stored a newer
    /// entry, which wins.
    func fill(_ client: ClientID, _ value: ClientLeases) {
        guard capacity > 0 else { return }
        state.withLock { state in
            guard !state.complete, state.entries[client] == nil else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }  // crude, but rare and self-healing
            state.entries[client] = value
        }
    }

    /// After a commit: the client's whole lease set as stored.
    func store(_ client: ClientID, _ value: ClientLeases) {
        guard capacity > 0 else { return }
        state.withLock { state in
            if state.complete {
                if value.leases.isEmpty {
                    state.entries[client] = nil  // absent is implied
                } else if state.entries[client] == nil, state.entries.count >= capacity {
                    // Grew past what memory may hold: from now on a miss must read SQLite.
                    state.complete = false
                    state.entries.removeAll(keepingCapacity: true)
                } else {
                    state.entries[client] = value
                }
                return
            }
            if state.entries[client] == nil, state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[client] = value.leases.isEmpty ? ClientLeases(version: 0, leases: []) : value
        }
    }

    /// Drops a possibly stale entry (partial mode; complete entries are exact).
    func invalidate(_ client: ClientID) {
        state.withLock { state in
            if !state.complete { state.entries[client] = nil }
        }
    }
}
