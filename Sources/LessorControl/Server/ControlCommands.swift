import DHCPWire
import Foundation
import LeaseStore

/// The commands of the protocol, apart from the socket: each request in, one response out.
/// `release` and `extend` do a tokened read–modify–write as `LeaseWriter.operator` and refuse
/// with `conflict` when the lease's version is not the one the operator saw.
struct ControlCommands: Sendable {
    let store: any LeaseStore
    let index: LeaseIndex
    let backend: any ControlBackend
    let clock: any LeaseClock

    static let defaultPageSize = 500
    static let maxPageSize = 5000
    /// The longest `extend` accepted: a year.
    static let maxExtension = 366 * 86_400

    func respond(to request: ControlRequest) async -> ControlResponse {
        do {
            switch request.command {
            case .status: return ControlResponse(id: request.id, status: await status())
            case .pools: return ControlResponse(id: request.id, pools: await pools())
            case .leases: return try await leases(request)
            case .lease: return try await lease(request)
            case .release, .extend: return try await change(request)
            case .subscribe:
                return .failure(id: request.id, ControlError(.badRequest, "subscribe is answered by the connection's stream"))
            }
        } catch let error as ControlError {
            return .failure(id: request.id, error)
        } catch let error as LeaseStoreError {
            return .failure(id: request.id, Self.controlError(error))
        } catch {
            return .failure(id: request.id, ControlError(.unavailable, "\(error)"))
        }
    }

    // MARK: Reading

    func status() async -> ServerStatus {
        let info = await backend.serverInfo()
        var healthy = true
        var detail: String?
        do {
            _ = try await store.page(after: nil, limit: 1, filter: .all)
        } catch {
            healthy = false
            detail = error.description
        }
        return ServerStatus(
            server: info.name, version: info.version, pid: info.pid, startedAt: info.startedAt, store: store.providerName,
            storeHealthy: healthy, storeDetail: detail, counters: info.counters)
    }

    func pools() async -> [PoolStats] {
        await backend.pools(now: clock.now()).map { pool in
            let counts = index.counts(pool: pool.name)
            // Saturating: a /64 pool's size is UInt64.max, and counts never make free negative.
            func count(_ states: LeaseState...) -> UInt64 { states.reduce(0) { $0.saturatingAdd(UInt64(max(0, counts[$1] ?? 0))) } }
            let active = count(.active)
            let declined = count(.declined)
            let held = count(.released, .expired)
            let offered = pool.offered.saturatingAdd(count(.offered))
            let used = active.saturatingAdd(declined).saturatingAdd(held).saturatingAdd(offered)
            let free = min(pool.free ?? (pool.size > used ? pool.size - used : 0), pool.size)
            return PoolStats(
                name: pool.name, subnet: pool.subnet, range: pool.range, family: pool.family, size: pool.size, active: active,
                offered: offered, declined: declined, held: held, free: free, leaseTime: pool.leaseTime)
        }
    }

    private func leases(_ request: ControlRequest) async throws -> ControlResponse {
        let limit = request.limit ?? Self.defaultPageSize
        guard (1...Self.maxPageSize).contains(limit) else {
            throw ControlError(.badRequest, "limit must be between 1 and \(Self.maxPageSize), not \(limit)")
        }
        var cursor: LeaseCursor?
        if let after = request.after {
            guard let parsed = LeaseCursor(text: after) else {
                throw ControlError(.badRequest, "after: '\(after)' is not a cursor this server returned as next")
            }
            cursor = parsed
        }
        let filter = LeaseFilter(states: request.state.map { [$0] }, pool: request.pool)
        let page = try await store.page(after: cursor, limit: limit, filter: filter)
        return ControlResponse(id: request.id, leases: page.records, next: page.next?.text)
    }

    private func lease(_ request: ControlRequest) async throws -> ControlResponse {
        if let address = request.address {
            guard let resource = LeaseResource(text: address) else {
                throw ControlError(.badRequest, "address: '\(address)' is not an IPv4/IPv6 address or prefix")
            }
            guard let record = try await store.holder(of: resource) else {
                throw ControlError(.notFound, "nobody holds \(resource)")
            }
            return ControlResponse(id: request.id, leases: [record])
        }
        let client = try Self.client(request)
        let leases = try await store.read(client)
        guard !leases.isEmpty else { throw ControlError(.notFound, "\(client) has no lease") }
        return ControlResponse(id: request.id, leases: leases.map { LeaseRecord(client: client, lease: $0) })
    }

    // MARK: Changing

    private func change(_ request: ControlRequest) async throws -> ControlResponse {
        let client = try Self.client(request)
        guard let expected = request.leaseVersion else {
            throw ControlError(.badRequest, "\(request.command.rawValue) needs leaseVersion: the version of the lease you saw")
        }
        let key = LeaseKey(kind: request.kind ?? .v4, iaid: request.iaid ?? 0)
        var seconds = 0
        if request.command == .extend {
            guard let value = request.seconds, (1...Self.maxExtension).contains(value) else {
                throw ControlError(
                    .badRequest, "extend needs seconds between 1 and \(Self.maxExtension), not \(request.seconds.map(String.init) ?? "none")")
            }
            seconds = value
        }
        let lookup = try await store.lookup(client)
        var leases = lookup.leases
        do {
            guard let position = leases.firstIndex(where: { $0.key == key }) else {
                throw ControlError(.notFound, "\(client) has no \(key) lease")
            }
            var lease = leases[position]
            guard lease.version == expected else {
                throw ControlError(
                    .conflict,
                    "the \(key) lease of \(client) changed since version \(expected): it is now version \(lease.version) "
                        + "(\(lease.state), expires \(ISO8601DateFormatter().string(from: lease.expiresAt))); look again")
            }
            switch request.command {
            case .release where request.force == true:
                leases.remove(at: position)
            case .release:
                guard [.active, .offered, .expired].contains(lease.state) else {
                    throw ControlError(
                        .badRequest, "the lease is \(lease.state), not active: nothing to release (force frees its address now)")
                }
                lease.state = .released
                leases[position] = lease
            default:
                guard lease.state == .active else {
                    throw ControlError(.badRequest, "only an active lease can be extended; this one is \(lease.state)")
                }
                lease.expiresAt = clock.now().addingTimeInterval(TimeInterval(seconds))
                leases[position] = lease
            }
        } catch {
            await store.releaseToken(lookup.token)
            throw error
        }
        let stored = try await store.update(client, leases: leases, token: lookup.token, writer: LeaseWriter.operator)
        let changed = stored.filter { $0.key == key }.map { LeaseRecord(client: client, lease: $0) }
        return ControlResponse(id: request.id, leases: changed)
    }

    // MARK: Helpers

    static func client(_ request: ControlRequest) throws -> ClientID {
        guard let text = request.client else {
            throw ControlError(.badRequest, "\(request.command.rawValue) needs client (hw:1:aa:bb:…, id:…, duid:…)")
        }
        guard let client = ClientID(text: text) ?? HardwareAddress(text).map(ClientID.hardware) else {
            throw ControlError(.badRequest, "client: '\(text)' is not a client id (hw:1:aa:bb:…, id:01aa…, duid:0001…) or a MAC")
        }
        return client
    }

    static func controlError(_ error: LeaseStoreError) -> ControlError {
        switch error.kind {
        case .conflict, .addressInUse: ControlError(.conflict, "the lease changed meanwhile (\(error.message)); look again")
        case .transport, .unavailable: ControlError(.unavailable, "the lease store failed: \(error.description)")
        case .invalidToken, .invalidArgument: ControlError(.badRequest, "the store refused the change: \(error.description)")
        }
    }
}

extension UInt64 {
    /// The sum, UInt64.max when it does not fit.
    fileprivate func saturatingAdd(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}

extension LeaseCursor {
    /// The cursor as the protocol's `next`/`after` text: `<client key hex>.<kind>.<iaid>`.
    var text: String { clientKey.hexString() + ".\(kind).\(iaid)" }

    init?(text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, let key = [UInt8](hex: parts[0]), let client = ClientID(storageKey: key),
            let kind = UInt8(parts[1]).flatMap(LeaseKind.init(rawValue:)), let iaid = UInt32(parts[2])
        else { return nil }
        var lease = Lease(kind: kind, iaid: iaid, elements: [], expiresAt: Date(timeIntervalSince1970: 0), owner: "")
        lease.version = 0
        self.init(after: LeaseRecord(client: client, lease: lease))
    }
}
