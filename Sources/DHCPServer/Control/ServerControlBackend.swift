import Allocation
import Foundation
import LessorControl
import Synchronization

/// What the control socket learns from the running server: who it is, its packet counters, and
/// the pools of the current DHCPv4 runtime (so after a SIGHUP reload, the new pools) with the
/// allocator's in-memory offers and free counts.
final class ServerControlBackend: ControlBackend {
    private let counters: ServerCounters
    private let startedAt: Date
    private let runtime: @Sendable () -> DHCPv4Runtime?

    init(counters: ServerCounters, startedAt: Date, runtime: @escaping @Sendable () -> DHCPv4Runtime?) {
        self.counters = counters
        self.startedAt = startedAt
        self.runtime = runtime
    }

    func serverInfo() async -> ControlServerInfo {
        ControlServerInfo(
            name: ProcessInfo.processInfo.hostName, version: LessorServer.version, pid: ProcessInfo.processInfo.processIdentifier,
            startedAt: startedAt, counters: counters.snapshot())
    }

    func pools(now: Date) async -> [ControlPoolInfo] {
        guard let runtime = runtime() else { return [] }
        let usage = await runtime.allocator.usage(now: now)
        return runtime.pools.map { pool in
            let used = usage[pool.name]
            let leaseTime = pool.subnet.leaseTime ?? DHCPv4Service.defaultLeaseTime
            return ControlPoolInfo(
                name: pool.name, subnet: pool.subnet.subnet.description, range: pool.range.description,
                size: UInt64(pool.range.count), offered: UInt64(used?.offered ?? 0), free: used.map { UInt64($0.free) },
                leaseTime: Int(leaseTime.components.seconds))
        }
    }
}
