import Foundation
import Synchronization

/// Issues and checks tokens for providers whose token is a version number (memory, SQLite):
/// it makes tokens single-use, bound to one store and client, and expiring after a timeout,
/// so an abandoned token never lingers. The compare-and-swap on the version is the provider's.
package final class TokenLedger: Sendable {
    private struct State {
        var nextID: UInt64 = 1
        var outstanding: [UInt64: Date] = [:]  // token id -> issued at
        var issuedSinceSweep = 0
    }

    package let storeID: UInt64
    private let timeout: TimeInterval
    private let clock: any LeaseClock
    private let state = Mutex(State())
    /// Above this many outstanding tokens, issuing sweeps out expired ones.
    private let sweepThreshold = 4096

    package init(timeout: Duration, clock: any LeaseClock) {
        storeID = UInt64.random(in: 1...UInt64.max)
        self.timeout = timeout.timeInterval
        self.clock = clock
    }

    package func issue(for client: ClientID, version: UInt64) -> LeaseToken {
        let now = clock.now()
        let id = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.outstanding[id] = now
            state.issuedSinceSweep += 1
            if state.outstanding.count > sweepThreshold, state.issuedSinceSweep > sweepThreshold / 2 {
                let cutoff = now.addingTimeInterval(-timeout)
                state.outstanding = state.outstanding.filter { $0.value >= cutoff }
                state.issuedSinceSweep = 0
            }
            return id
        }
        return LeaseToken(client: client, store: storeID, id: id, version: version)
    }

    /// Throws unless `token` is outstanding, unexpired and for `client`. Does not consume it.
    package func check(_ token: LeaseToken, for client: ClientID) throws(LeaseStoreError) {
        guard token.store == storeID else { throw .invalidToken("\(token) was issued by another store") }
        guard token.client == client else { throw .invalidToken("\(token) is for \(token.client), not \(client)") }
        let now = clock.now()
        let issuedAt = state.withLock { $0.outstanding[token.id] }
        guard let issuedAt else { throw .conflict("\(token) was already used or released") }
        if now.timeIntervalSince(issuedAt) > timeout {
            consume(token)
            throw .conflict("\(token) expired after \(timeout) s unused")
        }
    }

    /// Marks the token used (after a commit or a conflict) or abandoned.
    package func consume(_ token: LeaseToken) {
        guard token.store == storeID else { return }
        _ = state.withLock { $0.outstanding.removeValue(forKey: token.id) }
    }

}
