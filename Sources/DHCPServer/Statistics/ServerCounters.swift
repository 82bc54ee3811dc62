import Synchronization

/// Packet and outcome counters, shared by the transport and the pipeline. Cheap to bump from
/// any thread; read as a snapshot for `status` and logs.
public final class ServerCounters: Sendable {
    public enum Counter: String, CaseIterable, Sendable {
        case received, malformed, ignored, noSubnet, dropped, storeFailures
        case discover, request, decline, release, inform
        case offer, ack, nak
        /// DHCPv6 messages (REQUEST, DECLINE and RELEASE share the DHCPv4 counters above).
        case solicit, confirm, renew, rebind, informationRequest
        case advertise, reply
        case sent, sendFailures
    }

    private let values = Mutex<[Counter: UInt64]>([:])

    public init() {}

    public func bump(_ counter: Counter, by amount: UInt64 = 1) {
        values.withLock { $0[counter, default: 0] += amount }
    }

    public subscript(counter: Counter) -> UInt64 { values.withLock { $0[counter] ?? 0 } }

    public func snapshot() -> [String: UInt64] {
        values.withLock { values in Dictionary(uniqueKeysWithValues: Counter.allCases.map { ($0.rawValue, values[$0] ?? 0) }) }
    }
}
