import Allocation
import DHCPWire
import Foundation

/// `range`: hands out addresses from the subnet's pools (and its shared network's) through
/// the lease store, and carries the RFC 2131 state machine for them: DISCOVER → OFFER (held
/// for `offerHold`), REQUEST in SELECTING / INIT-REBOOT / RENEWING / REBINDING → ACK or NAK,
/// DECLINE → quarantine, RELEASE → back to the pool.
struct RangePlugin: DHCPv4Plugin {
    let name = "range"
    let allocator: IPv4Allocator
    /// Subnet name → the names of its pools.
    let poolsBySubnet: [String: [String]]
    let offerHold: Duration
    let declineQuarantine: Duration
    let authoritative: Bool

    func handle(_ context: inout DHCPv4Context) async throws -> PluginVerdict {
        guard !context.handled else { return .continue }
        let pools = context.link.flatMap { poolsBySubnet[$0.name] ?? [] }
        let request = IPv4Allocator.Request(
            client: context.client, pools: pools, requested: context.requestedAddress, hostname: context.hostname,
            leaseTime: context.leaseTime, now: context.now)
        switch context.messageType {
        case .discover:
            if let address = try await allocator.offer(request, holdUntil: context.now.addingTimeInterval(offerHold.timeInterval)) {
                context.grant(address)
            } else if !pools.isEmpty {
                context.ignore("no free address in \(pools.joined(separator: ", "))")
            }
        case .request:
            if let named = try? context.request.serverIdentifier, named != context.serverID {
                // SELECTING, and the client chose another server: free what we offered.
                try await allocator.withdrawOffer(context.client)
                context.ignore("the client chose server \(named)")
                return .continue
            }
            guard let address = context.requestedAddress else {
                context.refuse("REQUEST without option 50 or ciaddr")
                return .continue
            }
            guard context.link.contains(where: { $0.subnet.contains(address) }) else {
                // INIT-REBOOT from another network: the client moved (RFC 2131 §4.3.2).
                context.refuse("\(address) is not on this client's network")
                return .continue
            }
            switch try await allocator.commit(request, address: address) {
            case .committed: context.grant(address)
            case .refused(let why): authoritative ? context.refuse(why) : context.ignore(why)
            }
        case .decline:
            if let address = try? context.request.requestedAddress {
                let until = context.now.addingTimeInterval(declineQuarantine.timeInterval)
                if try await allocator.decline(context.client, address: address, until: until) {
                    context.ignore("\(address) declined: quarantined until \(until)")
                }
            }
        case .release:
            if try await allocator.release(context.client, address: context.request.ciaddr) {
                context.ignore("\(context.request.ciaddr) released")
            }
        default:
            break
        }
        return .continue
    }

}
