import DHCPWire
import Foundation
public import LeaseStore

/// A failed conformance check: what was expected and where.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public var message: String
    public var location: String
    public var description: String { "\(location): \(message)" }
}

/// A provider under test: a fresh, empty store built with the given options.
public typealias StoreFactory = @Sendable (LeaseStoreOptions) async throws -> any LeaseStore

/// What each check gets: a fresh store, its manual clock and the options it was built with.
public struct ConformanceContext: Sendable {
    public var store: any LeaseStore
    public var clock: ManualLeaseClock
    public var options: LeaseStoreOptions
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String, file: String = #fileID, line: Int = #line) throws {
    if !condition { throw ConformanceFailure(message: message(), location: "\(file):\(line)") }
}

func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: String, file: String = #fileID, line: Int = #line) throws {
    if actual != expected {
        throw ConformanceFailure(message: "\(what): expected \(expected), got \(actual)", location: "\(file):\(line)")
    }
}

/// Runs `body` and requires it to throw a `LeaseStoreError` of `kind`.
func expectError<T>(
    _ kind: LeaseStoreError.Kind, _ what: String, file: String = #fileID, line: Int = #line,
    _ body: () async throws -> T
) async throws {
    do {
        _ = try await body()
    } catch let error as LeaseStoreError {
        if error.kind != kind {
            throw ConformanceFailure(message: "\(what): expected \(kind), got \(error)", location: "\(file):\(line)")
        }
        return
    }
    throw ConformanceFailure(message: "\(what): expected \(kind), but it succeeded", location: "\(file):\(line)")
}

/// Test data: clients and leases built from small numbers.
enum Sample {
    static func client(_ n: Int) -> ClientID {
        .hardware(HardwareAddress(bytes: [0x02, 0, 0, UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)])!)
    }

    static func duidClient(_ n: Int) -> ClientID {
        .duid(DUID.linkLayer(HardwareAddress(bytes: [0x02, 1, 0, 0, UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)])!))
    }

    /// 198.18.x.y: documentation/benchmark space.
    static func address(_ n: Int) -> IPv4Address { IPv4Address(198 << 24 | 18 << 16 | UInt32(n & 0xFFFF)) }

    static func v6(_ n: Int) -> IPv6Address { IPv6Address(high: 0x2001_0db8_0001_0000, low: UInt64(n)) }

    static func prefix(_ n: Int) -> IPv6Prefix { IPv6Prefix(address: IPv6Address(high: 0x2001_0db8_0100_0000 | UInt64(n) << 8, low: 0), length: 56)! }

    static func lease(_ n: Int, state: LeaseState = .active, expiresIn seconds: TimeInterval = 3600, from now: Date,
                      owner: String = "range", pool: String? = "pool-a") -> Lease {
        Lease.v4(address(n), state: state, expiresAt: now.addingTimeInterval(seconds), owner: owner, hostname: "host-\(n)", pool: pool)
    }
}

extension LeaseStore {
    /// lookup + update in one go (no retries), for setting up state in checks.
    @discardableResult
    func put(_ client: ClientID, _ leases: [Lease], writer: String = "range") async throws -> [Lease] {
        let lookup = try await lookup(client)
        return try await update(client, leases: leases, token: lookup.token, writer: writer)
    }
}
