public import Foundation

/// What only the DHCP server knows, for `status` and `pools`: its identity and counters, and
/// its pools as configured now with what the allocator holds in memory. Implemented by the
/// server (DHCPServer), so this module does not depend on it. Called from any task.
public protocol ControlBackend: Sendable {
    func serverInfo() async -> ControlServerInfo
    /// Every pool of the running configuration (after a reload: the new one).
    func pools(now: Date) async -> [ControlPoolInfo]
}

public struct ControlServerInfo: Sendable, Equatable {
    public var name: String
    public var version: String
    public var pid: Int32
    public var startedAt: Date
    /// DHCP packet counters by name.
    public var counters: [String: UInt64]

    public init(name: String, version: String, pid: Int32, startedAt: Date, counters: [String: UInt64]) {
        self.name = name
        self.version = version
        self.pid = pid
        self.startedAt = startedAt
        self.counters = counters
    }
}

/// One pool's definition and the allocator's in-memory view of it. The control server adds the
/// counts by lease state from its index.
public struct ControlPoolInfo: Sendable, Equatable {
    public var name: String
    public var subnet: String
    public var range: String
    public var family: String
    public var size: UInt64
    /// Offers held in memory (not in the store).
    public var offered: UInt64
    /// Addresses the allocator can hand out now; nil to derive it from the other counts.
    public var free: UInt64?
    public var leaseTime: Int

    public init(
        name: String, subnet: String, range: String, family: String = "v4", size: UInt64, offered: UInt64 = 0,
        free: UInt64? = nil, leaseTime: Int
    ) {
        self.name = name
        self.subnet = subnet
        self.range = range
        self.family = family
        self.size = size
        self.offered = offered
        self.free = free
        self.leaseTime = leaseTime
    }
}
