import DHCPWire
import Foundation
import LeaseStore

/// `static6`: reserved IPv6 addresses by DUID or MAC (RFC 6939 option 79 from the relay, else the
/// link-layer part of a DUID-LLT/DUID-LL), from a reservations file reloaded when it changes. The
/// reservation satisfies the client's first unanswered IA_NA before any pool does (DESIGN.md §4);
/// its lease is owned by `static6`, and the pools never hand out a reserved address.
struct Static6Plugin: DHCPv6Plugin {
    let name = "static6"
    let table: ReservationTable
    let store: any LeaseStore

    func handle(_ context: inout DHCPv6Context) async throws -> PluginVerdict {
        guard let ia = context.unanswered(.iaNA).first, let client = context.client, case .duid(let duid) = client,
            let reservation = await table.reservation6(duid: duid, mac: context.clientLinkLayerAddress),
            case .v6(let address) = reservation.address
        else { return .continue }
        // Reserved on another link: here the client is not known.
        guard context.link.contains(where: { $0.prefix.contains(address) }) else { return .continue }
        let lifetimes = context.lifetimes
        let timers = DHCPv6Context.timers(lifetimes)
        let element = LeaseElement(
            .ipv6(address), preferredUntil: context.now.addingTimeInterval(lifetimes.preferred.timeInterval),
            validUntil: context.now.addingTimeInterval(lifetimes.valid.timeInterval))
        var lease = Lease(
            kind: .iaNA, iaid: ia.iaid, elements: [element], expiresAt: element.validUntil ?? context.now, owner: name,
            hostname: reservation.hostname ?? context.hostname, pool: "static6")
        switch context.messageType {
        case .solicit where !context.rapidCommit:
            // Nothing to hold: the address is excluded from every pool.
            lease.state = .offered
            context.answers[ia.key] = .granted(lease, t1: timers.t1, t2: timers.t2)
        case .solicit, .request, .renew, .rebind:
            guard let stored = try await write(lease, for: client) else {
                context.answers[ia.key] = .status(.noAddrsAvail, "reserved \(address) is held by another client")
                return .continue
            }
            context.answers[ia.key] = .granted(stored, t1: timers.t1, t2: timers.t2)
        case .release, .decline:
            let ours = context.ias.filter { $0.kind == .iaNA && $0.resources.contains(.ipv6(address)) }
            guard !ours.isEmpty else { return .continue }
            let keys = Set(ours.map(\.key))
            _ = try await store.transact(client, writer: name) { tx in
                tx.leases.removeAll { $0.owner == name && keys.contains($0.key) }
            }
            for key in keys { context.answers[key] = .status(.success, "") }
        default:
            break
        }
        return .continue
    }

    /// Stores the reserved lease for the IA, replacing a pool lease the IA had (as the operator: the
    /// reservation overrides the pool). Nil when another client holds the address.
    private func write(_ lease: Lease, for client: ClientID) async throws -> Lease? {
        let name = name
        let key = lease.key
        if try await store.read(client).contains(where: { $0.key == key && $0.owner != name }) {
            _ = try await store.transact(client, writer: LeaseWriter.operator) { tx in
                tx.leases.removeAll { $0.key == key && $0.owner != name }
            }
        }
        do {
            _ = try await store.transact(client, writer: name) { tx in
                tx.leases.removeAll { $0.key == key }
                tx.leases.append(lease)
            }
            return lease
        } catch let error as LeaseStoreError {
            if case .addressInUse = error.kind { return nil }
            throw error
        }
    }
}
