public import DHCPWire
public import Foundation

/// What a lease element holds: an IPv4 address, an IPv6 address (IA_NA/IA_TA) or a delegated
/// prefix (IA_PD). Every provider keeps a unique index on it: one holder at a time.
public enum LeaseResource: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    case ipv4(IPv4Address)
    case ipv6(IPv6Address)
    case prefix(IPv6Prefix)

    public var description: String {
        switch self {
        case .ipv4(let address): address.description
        case .ipv6(let address): address.description
        case .prefix(let prefix): prefix.description
        }
    }

    /// Parses "192.0.2.10", "2001:db8::5" or "2001:db8:100::/56".
    public init?(text: some StringProtocol) {
        if let v4 = IPv4Address(text) {
            self = .ipv4(v4)
        } else if text.contains("/"), let prefix = IPv6Prefix(text) {
            self = .prefix(prefix)
        } else if let v6 = IPv6Address(text) {
            self = .ipv6(v6)
        } else {
            return nil
        }
    }

    /// Binary key for unique indexes: a tag, the address bytes, and the prefix length.
    public var storageKey: [UInt8] {
        switch self {
        case .ipv4(let address): [4] + address.bytes
        case .ipv6(let address): [6] + address.bytes
        case .prefix(let prefix): [7] + prefix.address.bytes + [prefix.length]
        }
    }

    public static func < (lhs: LeaseResource, rhs: LeaseResource) -> Bool {
        lhs.storageKey.lexicographicallyPrecedes(rhs.storageKey)
    }

    public init(from decoder: any Decoder) throws { self = try decoder.decodeText("an address or prefix") { text in LeaseResource(text: text) } }
    public func encode(to encoder: any Encoder) throws { try encoder.encodeText(description) }
}

/// The protocol family and IA type of a lease. A client holds at most one lease per (kind, IAID).
public enum LeaseKind: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case v4 = 0
    case iaNA = 1
    case iaTA = 2
    case iaPD = 3

    public var description: String {
        switch self {
        case .v4: "v4"
        case .iaNA: "ia_na"
        case .iaTA: "ia_ta"
        case .iaPD: "ia_pd"
        }
    }

    /// Whether an element of this kind may hold `resource`.
    public func accepts(_ resource: LeaseResource) -> Bool {
        switch (self, resource) {
        case (.v4, .ipv4), (.iaNA, .ipv6), (.iaTA, .ipv6), (.iaPD, .prefix): true
        default: false
        }
    }
}

public enum LeaseState: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Held briefly between OFFER/ADVERTISE and REQUEST so it is not offered twice.
    case offered = 0
    case active = 1
    /// The client released it; kept (for the same client) until `expiresAt`.
    case released = 2
    /// The client declined it (address in use on the link): quarantined until `expiresAt`.
    case declined = 3
    /// Reclaimed by the store at expiry; still reserved for the same client until `expiresAt`.
    case expired = 4

    public var description: String {
        switch self {
        case .offered: "offered"
        case .active: "active"
        case .released: "released"
        case .declined: "declined"
        case .expired: "expired"
        }
    }
}

/// One address or prefix of a lease. DHCPv6 elements carry their own lifetimes (as sent in
/// IAADDR/IAPREFIX); for DHCPv4 they are nil and the lease's `expiresAt` is the lifetime.
public struct LeaseElement: Hashable, Sendable, Codable {
    public var resource: LeaseResource
    public var preferredUntil: Date?
    public var validUntil: Date?

    public init(_ resource: LeaseResource, preferredUntil: Date? = nil, validUntil: Date? = nil) {
        self.resource = resource
        self.preferredUntil = preferredUntil
        self.validUntil = validUntil
    }
}

/// Identifies a lease within its client's set.
public struct LeaseKey: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public var kind: LeaseKind
    public var iaid: UInt32

    public init(kind: LeaseKind, iaid: UInt32 = 0) {
        self.kind = kind
        self.iaid = iaid
    }

    public static func < (lhs: LeaseKey, rhs: LeaseKey) -> Bool { (lhs.kind.rawValue, lhs.iaid) < (rhs.kind.rawValue, rhs.iaid) }
    public var description: String { kind == .v4 ? "v4" : "\(kind)/\(iaid)" }
}

/// A lease: one IA (or the DHCPv4 binding) of one client. A value type; the provider sets
/// `version` and `updatedAt` on commit and ignores what the consumer put there.
public struct Lease: Hashable, Sendable, Codable {
    public var kind: LeaseKind
    /// The IA identifier for DHCPv6; 0 for DHCPv4.
    public var iaid: UInt32
    public var elements: [LeaseElement]
    public var state: LeaseState
    /// When the store next acts on this lease: an active lease expires, any other state is deleted.
    public var expiresAt: Date
    /// The plugin instance that wrote the lease. Only it (or the operator) may change it.
    public var owner: String
    /// Opaque bytes keyed by owner: a server-side cookie a plugin finds again next time.
    public var attachments: [String: Data]
    public var hostname: String?
    /// The pool (or reservation set) the elements came from, for statistics and the dashboard.
    public var pool: String?
    /// Set by the provider: the store's commit sequence number of the last change to this lease.
    public var version: UInt64
    /// Set by the provider at commit.
    public var updatedAt: Date

    public init(
        kind: LeaseKind = .v4, iaid: UInt32 = 0, elements: [LeaseElement], state: LeaseState = .active,
        expiresAt: Date, owner: String, attachments: [String: Data] = [:], hostname: String? = nil,
        pool: String? = nil
    ) {
        self.kind = kind
        self.iaid = iaid
        self.elements = elements
        self.state = state
        self.expiresAt = expiresAt
        self.owner = owner
        self.attachments = attachments
        self.hostname = hostname
        self.pool = pool
        self.version = 0
        self.updatedAt = Date(timeIntervalSince1970: 0)
    }

    /// A DHCPv4 lease on one address.
    public static func v4(
        _ address: IPv4Address, state: LeaseState = .active, expiresAt: Date, owner: String,
        hostname: String? = nil, pool: String? = nil
    ) -> Lease {
        Lease(elements: [LeaseElement(.ipv4(address))], state: state, expiresAt: expiresAt, owner: owner,
              hostname: hostname, pool: pool)
    }

    public var key: LeaseKey { LeaseKey(kind: kind, iaid: iaid) }
    public var resources: [LeaseResource] { elements.map { $0.resource } }

    /// Equality of what consumers control, ignoring the provider-set `version` and `updatedAt`.
    public func hasSameContent(as other: Lease) -> Bool {
        var a = self, b = other
        a.version = 0
        b.version = 0
        a.updatedAt = b.updatedAt
        return a == b
    }
}

/// A lease together with the client that holds it (reverse lookups, bulk reads).
public struct LeaseRecord: Hashable, Sendable, Codable {
    public var client: ClientID
    public var lease: Lease

    public init(client: ClientID, lease: Lease) {
        self.client = client
        self.lease = lease
    }
}

/// Kinds and states travel as their names in JSON (the control protocol, `lessor leases --json`).
/// Written out per type: a protocol extension would lose to the synthesised raw-value coding.
extension LeaseKind: Codable {
    public init(from decoder: any Decoder) throws { self = try decodeName(decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeName(self, encoder) }
}

extension LeaseState: Codable {
    public init(from decoder: any Decoder) throws { self = try decodeName(decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeName(self, encoder) }
}

private func decodeName<T: CaseIterable & CustomStringConvertible>(_ decoder: any Decoder) throws -> T {
    let name = try decoder.singleValueContainer().decode(String.self)
    guard let value = T.allCases.first(where: { $0.description == name }) else {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown value '\(name)'"))
    }
    return value
}

private func encodeName(_ value: some CustomStringConvertible, _ encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(value.description)
}
