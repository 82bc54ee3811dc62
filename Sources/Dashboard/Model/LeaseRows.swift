public import Foundation
public import LeaseStore
public import LessorControl

/// Identifies one row of the leases table: a client holds at most one lease per (kind, IAID).
public struct LeaseRowKey: Hashable, Sendable, CustomStringConvertible {
    public var client: ClientID
    public var kind: LeaseKind
    public var iaid: UInt32

    public init(client: ClientID, kind: LeaseKind, iaid: UInt32) {
        self.client = client
        self.kind = kind
        self.iaid = iaid
    }

    public init(_ record: LeaseRecord) { self.init(client: record.client, kind: record.lease.kind, iaid: record.lease.iaid) }

    public var description: String { "\(client) \(LeaseKey(kind: kind, iaid: iaid))" }
}

/// One lease as the dashboard keeps it: the record plus its sort tie-breaker and table slot.
/// Immutable; a class so that passing 100,000 of them around costs one reference count each.
public final class LeaseEntry: Sendable {
    public let record: LeaseRecord
    /// The client's binary storage key, the sort tie-breaker.
    let clientKey: [UInt8]
    /// Its place in the `RowIndex`.
    let slot: Int32

    init(_ record: LeaseRecord, slot: Int32) {
        self.record = record
        self.slot = slot
        clientKey = record.client.storageKey
    }

    /// Lowercased client, hostname, addresses, state, owner and pool, one per line: what the
    /// filter searches. Built when a filter needs it (it is most of a snapshot's cost), then
    /// kept by the `RowIndex`.
    var searchText: String {
        let lease = record.lease
        var text = record.client.description
        text.reserveCapacity(128)
        text += "\n"
        text += lease.hostname ?? ""
        for element in lease.elements {
            text += "\n"
            text += element.resource.description
        }
        for field in [lease.state.description, lease.owner, lease.pool ?? ""] {
            text += "\n"
            text += field
        }
        return fastLowercased(text)
    }
}

/// `text.lowercased()`, without the Unicode tables when the text is ASCII (addresses, MACs,
/// most hostnames): a snapshot lowercases every lease's search text.
func fastLowercased(_ text: String) -> String {
    let bytes = Array(text.utf8)
    guard bytes.allSatisfy({ $0 < 0x80 }) else { return text.lowercased() }
    return String(decoding: bytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
}

/// The columns of the leases table, in display order; each can be the sort column.
public enum SortColumn: String, Sendable, CaseIterable {
    case client, hostname, address, state, expiry, owner, lastChange = "last change"

    public var title: String {
        switch self {
        case .client: "client"
        case .hostname: "hostname"
        case .address: "address"
        case .state: "state"
        case .expiry: "expiry"
        case .owner: "owner"
        case .lastChange: "changed"
        }
    }
}

/// The `/` filter: a case-insensitive substring, or with the prefix `re:` a regular expression
/// (Swift Regex, case-insensitive, `^`/`$` at each field) over client, hostname, addresses,
/// state, owner and pool.
///
/// `@unchecked Sendable`: the regex is immutable once made, and matched once in `init` so
/// Swift's lazily compiled program exists before the value is shared.
public struct LeaseFilter: @unchecked Sendable {
    public let text: String
    private let needle: [UInt8]
    private let regex: Regex<AnyRegexOutput>?

    /// Nil filter text is "no filter"; an invalid regex throws its message.
    public init(_ text: String) throws(FilterError) {
        self.text = text
        if text.hasPrefix("re:") {
            let pattern = String(text.dropFirst(3))
            do {
                let compiled = try Regex(pattern).ignoresCase().anchorsMatchLineEndings()
                _ = try compiled.firstMatch(in: "")
                regex = compiled
            } catch {
                throw FilterError(message: "bad regex '\(pattern)': \(error)")
            }
            needle = []
        } else {
            regex = nil
            needle = Array(fastLowercased(text).utf8)
        }
    }

    public var isEmpty: Bool { text.isEmpty }

    func matches(_ searchText: String) -> Bool {
        if let regex { return (try? regex.firstMatch(in: searchText)) != nil }
        if needle.isEmpty { return true }
        var haystack = searchText
        return haystack.withUTF8 { Self.contains($0, needle) }
    }

    private static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        let first = needle[0]
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            if haystack[start] == first {
                var offset = 1
                while offset < needle.count, haystack[start + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            start += 1
        }
        return false
    }
}

public struct FilterError: Error, Sendable, Equatable {
    public var message: String
}

/// Thresholds at which a pool is shown as warn or critical: by used percent or by free count.
public struct PoolThresholds: Sendable, Equatable {
    public var warnPercent: Double
    public var criticalPercent: Double
    /// Warn when fewer than this many are free.
    public var warnFree: UInt64
    public var criticalFree: UInt64

    public init(warnPercent: Double = 80, criticalPercent: Double = 95, warnFree: UInt64 = 10, criticalFree: UInt64 = 3) {
        self.warnPercent = warnPercent
        self.criticalPercent = criticalPercent
        self.warnFree = warnFree
        self.criticalFree = criticalFree
    }

    public enum Level: Sendable, Equatable { case ok, warn, critical }

    /// Used = everything not free (active, offered, declined, held), as a percent of the size.
    public static func usedPercent(_ pool: PoolStats) -> Double {
        guard pool.size > 0 else { return 0 }
        return Double(pool.size - min(pool.free, pool.size)) * 100 / Double(pool.size)
    }

    public func level(of pool: PoolStats) -> Level {
        let percent = Self.usedPercent(pool)
        if percent >= criticalPercent || pool.free < criticalFree { return .critical }
        if percent >= warnPercent || pool.free < warnFree { return .warn }
        return .ok
    }
}

/// One lease change as the event log shows it.
public struct DashboardEvent: Sendable, Equatable {
    /// When the dashboard received it.
    public var at: Date
    public var kind: LeaseChange.Kind
    public var client: ClientID
    public var leaseKey: LeaseKey
    public var resources: [LeaseResource]
    public var hostname: String?
    public var previousState: LeaseState?
    public var state: LeaseState
    public var byReclaimer: Bool
    /// An active lease whose expiry moved later.
    public var renewed: Bool

    public init(_ change: LeaseChange, at: Date) {
        self.at = at
        kind = change.kind
        client = change.client
        leaseKey = change.lease.key
        resources = change.lease.resources
        hostname = change.lease.hostname
        previousState = change.previous?.state
        state = change.lease.state
        byReclaimer = change.byReclaimer
        renewed =
            change.kind == .updated && change.previous?.state == .active && change.lease.state == .active
            && change.lease.expiresAt > change.previous!.expiresAt
    }

    /// `active→released` (`->` without Unicode), `new active`, `renewed`, `deleted`.
    public func transition(unicode: Bool) -> String {
        let arrow = unicode ? "→" : "->"
        return switch kind {
        case .created: "new \(state)"
        case .deleted: "deleted"
        case .updated where renewed: "renewed"
        case .expired, .updated:
            if let previousState, previousState != state { "\(previousState)\(arrow)\(state)" } else { "\(state)" }
        }
    }
}
