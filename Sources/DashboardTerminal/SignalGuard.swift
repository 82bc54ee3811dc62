import CNCurses
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// SIGINT, SIGTERM and SIGHUP while a screen is up: the handler only records the signal (an
/// atomic store is async-signal-safe); the curses thread sees it within one key-poll interval,
/// restores the terminal and ends the key streams, and the owner decides how to exit. The
/// previous handlers come back when the screen stops.
enum SignalGuard {
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    /// The signal received, or 0.
    static let received = Atomic<Int32>(0)
    /// curses is initialised and `endwin` has not been called: what the atexit hook checks.
    static let cursesActive = Atomic<Bool>(false)
    private static let previous = Mutex<[Int32: sigaction]>([:])
    private static let atexitInstalled = Atomic<Bool>(false)

    static func install() {
        received.store(0, ordering: .sequentiallyConsistent)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in SignalGuard.received.store(signal, ordering: .sequentiallyConsistent) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        previous.withLock { previous in
            for signal in signals {
                var old = sigaction()
                sigaction(signal, &action, &old)
                previous[signal] = old
            }
        }
        // Last resort: a process that exits without stopping the screen still gets its
        // terminal back.
        if !atexitInstalled.exchange(true, ordering: .sequentiallyConsistent) {
            atexit {
                if SignalGuard.cursesActive.exchange(false, ordering: .sequentiallyConsistent) { endwin() }
            }
        }
    }

    static func restore() {
        previous.withLock { previous in
            for (signal, old) in previous {
                var old = old
                sigaction(signal, &old, nil)
            }
            previous = [:]
        }
    }
}
