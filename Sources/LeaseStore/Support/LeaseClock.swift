public import Foundation
import Synchronization

/// The wall clock that decides lease expiry. Injected so tests move time instead of sleeping.
public protocol LeaseClock: Sendable {
    func now() -> Date
}

public struct SystemLeaseClock: LeaseClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that moves only when told to. For tests and simulations.
public final class ManualLeaseClock: LeaseClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    public func advance(by duration: Duration) {
        current.withLock { $0 = $0.addingTimeInterval(duration.timeInterval) }
    }

    public func set(_ date: Date) { current.withLock { $0 = date } }
}

extension Duration {
    /// Seconds as a floating-point interval, for `Date` arithmetic.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
