import Allocation
import DHCPWire
import Foundation
import LeaseStore

/// `range6` (IA_NA), `privacy` (IA_TA) and `prefix` (IA_PD): the IAs of its kind that no earlier
/// plugin answered, from the pools of the client's link, through one `IPv6Allocator`. An IA the
/// pools cannot satisfy is left unanswered, so the service gives it NoAddrsAvail / NoPrefixAvail
/// (or NoBinding for RENEW, REBIND, RELEASE and DECLINE).
struct PoolPlugin6: DHCPv6Plugin {
    let name: String
    let allocator: IPv6Allocator
    /// Subnet name → the allocator's pools in it.
    let poolsBySubnet: [String: [String]]
    /// Pool name → its T1/T2 in seconds.
    let timers: [String: (t1: UInt32, t2: UInt32)]
    let advertiseHold: Duration
    let declineQuarantine: Duration

    func handle(_ context: inout DHCPv6Context) async throws -> PluginVerdict {
        let ias = context.unanswered(allocator.leaseKind)
        guard !ias.isEmpty, let client = context.client else { return .continue }
        let pools = context.link.flatMap { poolsBySubnet[$0.name] ?? [] }
        let requests = ias.map { IPv6Allocator.IARequest(iaid: $0.iaid, hints: $0.resources) }
        let now = context.now
        let outcomes: [UInt32: IPv6Allocator.IAOutcome]
        switch context.messageType {
        case .solicit where !context.rapidCommit:
            guard !pools.isEmpty else { return .continue }
            outcomes = try await allocator.advertise(
                client, ias: requests, pools: pools, now: now, holdUntil: now.addingTimeInterval(advertiseHold.timeInterval),
                hostname: context.hostname)
        case .solicit, .request:
            guard !pools.isEmpty else { return .continue }
            outcomes = try await allocator.commit(client, ias: requests, pools: pools, now: now, hostname: context.hostname)
        case .renew, .rebind:
            outcomes = try await allocator.renew(client, ias: requests, pools: pools, now: now, rebind: context.messageType == .rebind)
        case .release:
            for (iaid, released) in try await allocator.release(client, iaids: ias.map(\.iaid)) where released {
                context.answers[LeaseKey(kind: allocator.leaseKind, iaid: iaid)] = .status(.success, "")
            }
            return .continue
        case .decline:
            let until = now.addingTimeInterval(declineQuarantine.timeInterval)
            for ia in ias {
                let addresses = ia.resources.compactMap { if case .ipv6(let address) = $0 { address } else { nil } }
                if try await allocator.decline(client, addresses: addresses, until: until) > 0 {
                    context.answers[ia.key] = .status(.success, "")
                }
            }
            return .continue
        default:
            return .continue
        }
        for ia in ias {
            switch outcomes[ia.iaid] {
            case .granted(let lease):
                let timer = lease.pool.flatMap { timers[$0] } ?? (0, 0)
                context.answers[ia.key] = .granted(lease, t1: timer.t1, t2: timer.t2)
            case .notOnLink:
                // The client moved: its addresses or prefixes go back with lifetimes 0 (RFC 8415 §18.3.4/5).
                context.answers[ia.key] = .withdrawn(ia.resources)
            case .unavailable, .noBinding, nil:
                break
            }
        }
        return .continue
    }
}
