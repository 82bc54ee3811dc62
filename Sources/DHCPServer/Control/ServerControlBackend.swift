import Allocation
import Foundation
import LessorControl
import Synchronization

/// What the control socket learns from the running server: who it is, its packet counters, and
/// the pools of the current DHCPv4 and DHCPv6 runtimes (so after a SIGHUP reload, the new pools)
/// with the allocators' in-memory offers and free counts.
final class ServerControlBackend: ControlBackend {
    private let counters: ServerCounters
    private let startedAt: Date
    private let runtime: @Sendable () -> DHCPv4Runtime?
    private let runtime6: @Sendable () -> DHCPv6Runtime?

    init(
        counters: ServerCounters, startedAt: Date, runtime: @escaping @Sendable () -> DHCPv4Runtime?,
        runtime6: @escaping @Sendable () -> DHCPv6Runtime? = { nil }
    ) {
        self.counters = counters
        self.startedAt = startedAt
        self.runtime = runtime
        self.runtime6 = runtime6
    }

    func serverInfo() async -> ControlServerInfo {
        ControlServerInfo(
            name: ProcessInfo.processInfo.hostName, version: LessorServer.version, pid: ProcessInfo.processInfo.processIdentifier,
            startedAt: startedAt, counters: counters.snapshot())
    }

    func pools(now: Date) async -> [ControlPoolInfo] {
        var pools: [ControlPoolInfo] = []
        if let runtime = runtime() {
            let usage = await runtime.allocator.usage(now: now)
            pools += runtime.pools.map { pool in
                let used = usage[pool.name]
                let leaseTime = pool.subnet.leaseTime ?? DHCPv4Service.defaultLeaseTime
                return ControlPoolInfo(
                    name: pool.name, subnet: pool.subnet.subnet.description, range: pool.range.description,
                    size: UInt64(pool.range.count), offered: UInt64(used?.offered ?? 0), free: used.map { UInt64($0.free) },
                    leaseTime: Int(leaseTime.components.seconds))
            }
        }
        if let runtime6 = runtime6() {
            var usage: [String: [String: PoolUsage]] = [:]
            for (owner, allocator) in runtime6.allocators { usage[owner] = await allocator.usage(now: now) }
            pools += runtime6.pools.map { Self.info($0, usage: usage[$0.owner]?[$0.name]) }
        }
        return pools
    }

    /// A DHCPv6 pool as the control socket lists it. Its size comes from the configured space
    /// (UInt64.max for a /64 range), as `PoolUsage` clamps at Int.max; `size - free` there is
    /// still the number taken, so free is the exact size less that.
    static func info(_ pool: DHCPv6Runtime.PoolDefinition, usage: PoolUsage?) -> ControlPoolInfo {
        let size = pool.space.size
        let family: String
        let range: String
        switch pool.space {
        case .addresses(let first, let last):
            family = pool.owner == Plugin6Configuration.Name.privacy.rawValue ? "ia_ta" : "ia_na"
            range = "\(first)-\(last)"
        case .prefixes(let prefix, let delegatedLength, _):
            family = "ia_pd"
            range = "\(prefix) → /\(delegatedLength)"
        }
        let free = usage.map { usage in
            let taken = UInt64(max(0, usage.size - usage.free))
            return size > taken ? size - taken : 0
        }
        return ControlPoolInfo(
            name: pool.name, subnet: pool.subnet.prefix.description, range: range, family: family, size: size,
            offered: UInt64(usage?.offered ?? 0), free: free, leaseTime: Int(pool.lifetimes.valid.components.seconds))
    }
}
