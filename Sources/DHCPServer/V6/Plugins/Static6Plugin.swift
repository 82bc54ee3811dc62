import Allocation
import DHCPWire
import Foundation
import LeaseStore

/// `static6`: reserved IPv6 addresses and delegated prefixes by DUID or MAC (RFC 6939 option 79
/// from the relay, else the link-layer part of a DUID-LLT/DUID-LL), from a reservations file
/// reloaded when it changes. A reserved address satisfies the client's IA_NA (the one carrying it,
/// else the first unanswered), a reserved prefix its IA_PD, before any pool does (DESIGN.md §4);
/// the leases are owned by `static6`, and the pools never hand out what is reserved.
struct Static6Plugin: DHCPv6Plugin {
    let name = "static6"
    let table: ReservationTable
    let store: any LeaseStore
    let declineQuarantine: Duration

    func handle(_ context: inout DHCPv6Context) async throws -> PluginVerdict {
        guard let client = context.client, case .duid(let duid) = client else { return .continue }
        for reservation in await table.reservations6(duid: duid, mac: context.clientLinkLayerAddress) {
            let (kind, resource, onLink): (LeaseKind, LeaseResource, Bool)
            switch reservation.address {
            case .v6(let address):
                (kind, resource) = (.iaNA, .ipv6(address))
                onLink = context.link.contains { $0.prefix.contains(address) }
            case .prefix(let prefix):
                // Delegated prefixes are routed to the client, not on its link: any link of this server.
                (kind, resource, onLink) = (.iaPD, .prefix(prefix), context.subnet != nil)
            case .v4:
                continue
            }
            // Reserved on another link: here the client is not known.
            guard onLink else { continue }
            try await answer(&context, client: client, kind: kind, resource: resource, hostname: reservation.hostname)
        }
        return .continue
    }

    private func answer(
        _ context: inout DHCPv6Context, client: ClientID, kind: LeaseKind, resource: LeaseResource, hostname: String?
    ) async throws {
        let unanswered = context.unanswered(kind)
        // The IA that carries the reserved resource (a renewal), else the first one.
        guard let ia = unanswered.first(where: { $0.resources.contains(resource) }) ?? unanswered.first else { return }
        let lifetimes = context.lifetimes
        let timers = DHCPv6Context.timers(lifetimes)
        let element = LeaseElement(
            resource, preferredUntil: context.now.addingTimeInterval(lifetimes.preferred.timeInterval),
            validUntil: context.now.addingTimeInterval(lifetimes.valid.timeInterval))
        var lease = Lease(
            kind: kind, iaid: ia.iaid, elements: [element], expiresAt: element.validUntil ?? context.now, owner: name,
            hostname: hostname ?? context.hostname, pool: "static6")
        switch context.messageType {
        case .solicit where !context.rapidCommit:
            // Nothing to hold: the resource is excluded from every pool.
            lease.state = .offered
            context.answers[ia.key] = .granted(lease, t1: timers.t1, t2: timers.t2)
        case .solicit, .request, .renew, .rebind:
            guard let stored = try await write(lease, for: client) else {
                context.answers[ia.key] = .status(
                    kind == .iaPD ? .noPrefixAvail : .noAddrsAvail, "reserved \(resource) is held by another client")
                return
            }
            context.answers[ia.key] = .granted(stored, t1: timers.t1, t2: timers.t2)
        case .release, .decline:
            let ours = Set(context.ias.filter { $0.kind == kind && $0.resources.contains(resource) }.map(\.key))
            guard !ours.isEmpty else { return }
            let name = name
            _ = try await store.transact(client, writer: name) { tx in
                tx.leases.removeAll { $0.owner == name && ours.contains($0.key) }
            }
            for key in ours { context.answers[key] = .status(.success, "") }
            // Someone else uses the reserved address on the link: quarantine it under its own holder
            // (as the pools do) until the operator sorts it out; meanwhile the client gets NoAddrsAvail.
            if context.messageType == .decline, case .ipv6(let address) = resource {
                let until = context.now.addingTimeInterval(declineQuarantine.timeInterval)
                let quarantine = Lease(
                    kind: kind, elements: [LeaseElement(resource, preferredUntil: until, validUntil: until)], state: .declined,
                    expiresAt: until, owner: name, pool: "static6")
                _ = try await store.transact(IPv6Allocator.quarantineHolder(for: address), writer: name) { tx in
                    tx.leases = [quarantine]
                }
            }
        default:
            break
        }
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
