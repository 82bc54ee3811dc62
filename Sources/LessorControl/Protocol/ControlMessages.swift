public import Foundation
public import LeaseStore

/// The control protocol (DESIGN.md §5): JSON, one object per line, over a UNIX socket.
///
/// A client sends `ControlRequest`s, each with an `id` of its choosing; the server answers each
/// with one `ControlResponse` carrying the same id. `subscribe` is the one command answered by
/// a stream: a `snapshot` response, then `change` responses (and `resync`, a fresh snapshot,
/// when the subscriber fell behind), all with the subscribe request's id, until the
/// connection closes. Fields a message does not use are absent.
public enum ControlProtocol {
    /// Bumped on incompatible changes; a request naming another version is refused.
    public static let version = 1
    /// Longest request line the server reads; longer ones are refused and the connection closed.
    public static let maxLineBytes = 64 * 1024
}

public enum ControlCommand: String, Codable, Sendable, CaseIterable {
    /// Server, store provider and health, uptime, packet counters.
    case status
    /// Per pool: size and how its addresses are used.
    case pools
    /// A page of leases, filtered; `next` in the answer continues it.
    case leases
    /// The leases of one client (`client`) or the holder of one address (`address`).
    case lease
    /// A snapshot of every lease, then every change as it commits.
    case subscribe
    /// Marks a lease released (its address held back until the lease would have ended), or with
    /// `force` deletes it (the address is free at once).
    case release
    /// Sets a lease's expiry to now + `seconds`.
    case extend
}

public struct ControlRequest: Codable, Sendable, Equatable {
    public var id: Int
    public var command: ControlCommand
    /// The protocol version the client speaks (absent: the current one).
    public var version: Int?
    /// `lease`, `release`, `extend`: the client, in its text form (`hw:…`, `id:…`, `duid:…`).
    public var client: String?
    /// `lease`: an address or prefix whose holder to show.
    public var address: String?
    /// `leases`: filters.
    public var pool: String?
    public var state: LeaseState?
    /// `leases`: the `next` of the previous page.
    public var after: String?
    /// `leases`: page size (default 500, at most 5000).
    public var limit: Int?
    /// `release`, `extend`: which of the client's leases.
    public var kind: LeaseKind?
    public var iaid: UInt32?
    /// `release`, `extend`: the lease version the operator saw; a different current version
    /// answers `conflict`.
    public var leaseVersion: UInt64?
    /// `extend`: the new lifetime from now, in seconds.
    public var seconds: Int?
    /// `release`: delete the lease so its address is free at once.
    public var force: Bool?

    public init(
        id: Int, command: ControlCommand, version: Int? = ControlProtocol.version, client: String? = nil,
        address: String? = nil, pool: String? = nil, state: LeaseState? = nil, after: String? = nil, limit: Int? = nil,
        kind: LeaseKind? = nil, iaid: UInt32? = nil, leaseVersion: UInt64? = nil, seconds: Int? = nil, force: Bool? = nil
    ) {
        self.id = id
        self.command = command
        self.version = version
        self.client = client
        self.address = address
        self.pool = pool
        self.state = state
        self.after = after
        self.limit = limit
        self.kind = kind
        self.iaid = iaid
        self.leaseVersion = leaseVersion
        self.seconds = seconds
        self.force = force
    }
}

public struct ControlError: Codable, Sendable, Equatable, Error {
    public enum Code: String, Codable, Sendable {
        /// The peer's uid/gid may not use this command.
        case forbidden
        /// Malformed JSON, unknown command, missing or bad argument, unsupported version.
        case badRequest = "bad_request"
        /// No such client, address or lease.
        case notFound = "not_found"
        /// The lease changed since the version the request carries: look again.
        case conflict
        /// The store failed (transport or unavailable); the request may be retried.
        case unavailable
        /// The server is shutting down or overloaded.
        case busy
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// One server reply or stream event.
public struct ControlResponse: Codable, Sendable, Equatable {
    public enum Event: String, Codable, Sendable {
        /// `subscribe`: every lease now (`leases`, `pools`, `status`); changes follow.
        case snapshot
        /// `subscribe`: one committed change (`change`).
        case change
        /// `subscribe`: the subscriber fell behind and changes were dropped; `leases` is a fresh
        /// snapshot that replaces everything the client had.
        case resync
    }

    public var id: Int
    public var ok: Bool
    public var error: ControlError?
    public var event: Event?
    public var status: ServerStatus?
    public var pools: [PoolStats]?
    public var leases: [LeaseRecord]?
    /// `leases`: where the next page starts (absent on the last page).
    public var next: String?
    public var change: LeaseChange?

    public init(
        id: Int, ok: Bool = true, error: ControlError? = nil, event: Event? = nil, status: ServerStatus? = nil,
        pools: [PoolStats]? = nil, leases: [LeaseRecord]? = nil, next: String? = nil, change: LeaseChange? = nil
    ) {
        self.id = id
        self.ok = ok
        self.error = error
        self.event = event
        self.status = status
        self.pools = pools
        self.leases = leases
        self.next = next
        self.change = change
    }

    public static func failure(id: Int, _ error: ControlError) -> ControlResponse {
        ControlResponse(id: id, ok: false, error: error)
    }
}

public struct ServerStatus: Codable, Sendable, Equatable {
    public var server: String
    public var version: String
    public var protocolVersion: Int
    public var pid: Int32
    public var startedAt: Date
    /// The store provider (`sqlite`, `memory`, `postgres`) and what it says of itself.
    public var store: String
    public var storeHealthy: Bool
    public var storeDetail: String?
    /// DHCP packet counters by name (`received`, `offer`, `ack`, `malformed`, …).
    public var counters: [String: UInt64]

    public init(
        server: String, version: String, protocolVersion: Int = ControlProtocol.version, pid: Int32, startedAt: Date,
        store: String, storeHealthy: Bool, storeDetail: String? = nil, counters: [String: UInt64]
    ) {
        self.server = server
        self.version = version
        self.protocolVersion = protocolVersion
        self.pid = pid
        self.startedAt = startedAt
        self.store = store
        self.storeHealthy = storeHealthy
        self.storeDetail = storeDetail
        self.counters = counters
    }
}

/// How one pool's addresses are used. `size` = `active` + `offered` + `declined` + `held` +
/// `free` (+ addresses excluded from the pool: reservations and server identifiers).
public struct PoolStats: Codable, Sendable, Equatable {
    public var name: String
    /// The subnet the pool belongs to, and its range as text (`192.0.2.10-192.0.2.200`).
    public var subnet: String
    public var range: String
    /// `v4`, `ia_na`, `ia_pd` (prefix pools count prefixes).
    public var family: String
    public var size: UInt64
    /// Leases in state active.
    public var active: UInt64
    /// Addresses offered and held for a client's REQUEST (in memory, not in the store).
    public var offered: UInt64
    /// Addresses quarantined after a DECLINE.
    public var declined: UInt64
    /// Released or expired leases whose address is held back until its time ends.
    public var held: UInt64
    /// Addresses the pool can hand out now.
    public var free: UInt64
    /// The pool's lease time in seconds (the dashboard's default for `extend`).
    public var leaseTime: Int

    public init(
        name: String, subnet: String, range: String, family: String = "v4", size: UInt64, active: UInt64, offered: UInt64,
        declined: UInt64, held: UInt64, free: UInt64, leaseTime: Int
    ) {
        self.name = name
        self.subnet = subnet
        self.range = range
        self.family = family
        self.size = size
        self.active = active
        self.offered = offered
        self.declined = declined
        self.held = held
        self.free = free
        self.leaseTime = leaseTime
    }
}

extension ControlRequest {
    /// One line of the protocol: compact JSON without a newline inside, dates as ISO 8601.
    public func encodedLine() throws -> [UInt8] { try ControlCoding.line(self) }
}

extension ControlResponse {
    public func encodedLine() throws -> [UInt8] { try ControlCoding.line(self) }
}

public enum ControlCoding {
    public static func line(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = [UInt8](try encoder.encode(value))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    public static func decode<T: Decodable>(_ type: T.Type, from line: some Collection<UInt8>) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(line))
    }
}
