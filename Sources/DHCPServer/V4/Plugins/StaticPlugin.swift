import Allocation
import DHCPWire
import Foundation
import LeaseStore
import Logging

/// The reservations of the `static` plugin, read from their file and read again when the
/// file changes (checked at most once a second, on demand): no restart, and a file with an
/// error is reported and ignored — the previous reservations stay in force.
actor ReservationTable {
    let path: String
    /// Reservations must fall in one of these (checked at start, on SIGHUP and on file changes).
    private let subnets: [SubnetConfiguration]?
    private let logger: Logger
    private var byHardware: [HardwareAddress: Reservation] = [:]
    private var byClientID: [[UInt8]: Reservation] = [:]
    private(set) var addresses: Set<IPv4Address> = []
    /// DHCPv6 reservations (`static6`): by DUID, and by MAC (RFC 6939 or the DUID's link-layer part).
    private var v6ByDUID: [DUID: Reservation] = [:]
    private var v6ByHardware: [HardwareAddress: Reservation] = [:]
    private(set) var addresses6: Set<IPv6Address> = []
    private var onChange6: (@Sendable (Set<IPv6Address>) async -> Void)?
    private var loadedModification: Date?
    private var lastCheck: ContinuousClock.Instant?
    /// Called with the reserved addresses whenever they change (the pools exclude them).
    private var onChange: (@Sendable (Set<IPv4Address>) async -> Void)?

    /// - Parameter subnets: the DHCPv4 subnets IPv4 reservations must fall in; nil checks none (`static6`).
    init(path: String, subnets: [SubnetConfiguration]?, logger: Logger) throws(ConfigurationError) {
        self.path = path
        self.subnets = subnets
        self.logger = logger
        let reservations = try ReservationsFile.load(path: path, subnets: subnets)
        loadedModification = Self.modification(path)
        (byHardware, byClientID, addresses) = Self.index(reservations)
        (v6ByDUID, v6ByHardware, addresses6) = Self.index6(reservations)
    }

    func setOnChange(_ handler: @escaping @Sendable (Set<IPv4Address>) async -> Void) { onChange = handler }
    func setOnChange6(_ handler: @escaping @Sendable (Set<IPv6Address>) async -> Void) { onChange6 = handler }

    /// The IPv6 reservation of a DHCPv6 client: by DUID first, then by MAC.
    func reservation6(duid: DUID?, mac: HardwareAddress?) async -> Reservation? {
        await reloadIfChanged()
        if let duid, let reservation = v6ByDUID[duid] { return reservation }
        return mac.flatMap { v6ByHardware[$0] }
    }

    private func index(_ reservations: [Reservation]) {
        (byHardware, byClientID, addresses) = Self.index(reservations)
        (v6ByDUID, v6ByHardware, addresses6) = Self.index6(reservations)
    }

    private static func index6(_ reservations: [Reservation])
        -> ([DUID: Reservation], [HardwareAddress: Reservation], Set<IPv6Address>)
    {
        var byDUID: [DUID: Reservation] = [:]
        var byHardware: [HardwareAddress: Reservation] = [:]
        var addresses = Set<IPv6Address>()
        for reservation in reservations {
            guard case .v6(let address) = reservation.address else { continue }
            addresses.insert(address)
            switch reservation.match {
            case .duid(let duid): byDUID[duid] = reservation
            case .hardwareAddress(let mac): byHardware[mac] = reservation
            case .clientID: break
            }
        }
        return (byDUID, byHardware, addresses)
    }

    func reservation(chaddr: HardwareAddress, clientID: [UInt8]?) async -> Reservation? {
        await reloadIfChanged()
        if let clientID, let reservation = byClientID[clientID] { return reservation }
        return byHardware[chaddr]
    }

    /// Whether `address` is reserved for somebody (so nobody else may have it).
    func isReserved(_ address: IPv4Address) async -> Bool {
        await reloadIfChanged()
        return addresses.contains(address)
    }

    func reloadIfChanged() async {
        let now = ContinuousClock.now
        if let lastCheck, now - lastCheck < .seconds(1) { return }
        lastCheck = now
        let modification = Self.modification(path)
        guard modification != loadedModification else { return }
        loadedModification = modification
        do {
            let reservations = try ReservationsFile.load(path: path, subnets: subnets)
            index(reservations)
            logger.info("reloaded reservations", metadata: ["file": "\(path)", "count": "\(reservations.count)"])
            await onChange?(addresses)
            await onChange6?(addresses6)
        } catch {
            logger.error("reservations file has errors; keeping the previous reservations: \(error)", metadata: ["file": "\(path)"])
        }
    }

    private static func modification(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    private static func index(_ reservations: [Reservation])
        -> ([HardwareAddress: Reservation], [[UInt8]: Reservation], Set<IPv4Address>)
    {
        var hardware: [HardwareAddress: Reservation] = [:]
        var clientIDs: [[UInt8]: Reservation] = [:]
        var addresses = Set<IPv4Address>()
        for reservation in reservations {
            guard let address = reservation.ipv4 else { continue }
            addresses.insert(address)
            switch reservation.match {
            case .hardwareAddress(let mac): hardware[mac] = reservation
            case .clientID(let bytes): clientIDs[bytes] = reservation
            case .duid: break
            }
        }
        return (hardware, clientIDs, addresses)
    }
}

/// `static`: reserved addresses by MAC or client identifier. A reserved client gets its
/// reserved address and never a pool address; its lease is owned by `static`.
struct StaticPlugin: DHCPv4Plugin {
    let name = "static"
    let table: ReservationTable
    let store: any LeaseStore
    let offerHold: Duration
    let declineQuarantine: Duration

    func handle(_ context: inout DHCPv4Context) async throws -> PluginVerdict {
        guard !context.handled else { return .continue }
        let clientID = try? context.request.clientIdentifier?.bytes
        guard let reservation = await table.reservation(chaddr: context.request.chaddr, clientID: clientID),
            let address = reservation.ipv4
        else { return .continue }
        guard context.link.contains(where: { $0.subnet.contains(address) }) else {
            // Reserved on another network: here the client is not known.
            if context.messageType == .request { context.refuse("\(address) is reserved on another network") }
            return .continue
        }
        let hostname = reservation.hostname ?? context.hostname
        switch context.messageType {
        case .discover:
            let until = context.now.addingTimeInterval(offerHold.timeInterval)
            if try await write(context.client, address: address, hostname: hostname, activeUntil: nil, offerUntil: until) {
                context.grant(address)
            } else {
                context.ignore("reserved \(address) is held by another client")
            }
        case .request:
            if let named = try? context.request.serverIdentifier, named != context.serverID {
                context.ignore("the client chose server \(named)")
            } else if context.requestedAddress != address {
                context.refuse("\(context.client) is reserved \(address)")
            } else if try await write(
                context.client, address: address, hostname: hostname,
                activeUntil: context.now.addingTimeInterval(context.leaseTime.timeInterval), offerUntil: nil)
            {
                context.grant(address)
            } else {
                context.refuse("reserved \(address) is held by another client")
            }
        case .decline:
            // The reserved address is in use by someone else on the link: quarantine it under
            // its own holder (see IPv4Allocator.quarantineHolder) until the operator sorts it out.
            let until = context.now.addingTimeInterval(declineQuarantine.timeInterval)
            _ = try await store.transact(context.client, writer: name) { tx in
                tx.leases.removeAll { $0.kind == .v4 && $0.owner == name }
            }
            _ = try await store.transact(IPv4Allocator.quarantineHolder(for: address), writer: name) { tx in
                tx.leases = [Lease.v4(address, state: .declined, expiresAt: until, owner: name, pool: "static")]
            }
            context.ignore("reserved \(address) declined: quarantined until \(until)")
        case .release:
            _ = try await store.transact(context.client, writer: name) { tx in
                tx.leases.removeAll { $0.kind == .v4 && $0.owner == name }
            }
            context.ignore("reserved \(address) released")
        default:
            break
        }
        return .continue
    }

    /// Makes the client's v4 lease the reserved address: active until `activeUntil`, or
    /// offered until `offerUntil` (an active lease stays active). A pool lease the client
    /// had is removed first (as the operator: the reservation overrides the pool).
    private func write(_ client: ClientID, address: IPv4Address, hostname: String?, activeUntil: Date?, offerUntil: Date?) async throws -> Bool {
        let name = name
        let current = try await store.read(client)
        if current.contains(where: { $0.kind == .v4 && $0.owner != name }) {
            _ = try await store.transact(client, writer: LeaseWriter.operator) { tx in
                tx.leases.removeAll { $0.kind == .v4 && $0.owner != name }
            }
        }
        do {
            _ = try await store.transact(client, writer: name) { tx in
                let index = tx.leases.firstIndex { $0.kind == .v4 }
                var lease = index.map { tx.leases[$0] } ?? Lease.v4(address, state: .offered, expiresAt: offerUntil ?? Date(), owner: name)
                lease.elements = [LeaseElement(.ipv4(address))]
                lease.hostname = hostname
                lease.pool = "static"
                if let activeUntil {
                    lease.state = .active
                    lease.expiresAt = activeUntil
                } else if lease.state != .active, let offerUntil {
                    lease.state = .offered
                    lease.expiresAt = offerUntil
                }
                if let index { tx.leases[index] = lease } else { tx.leases.append(lease) }
            }
            return true
        } catch let error as LeaseStoreError {
            if case .addressInUse = error.kind { return false }
            throw error
        }
    }
}
