import CNCurses
public import Dashboard
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The terminal the dashboard draws on.
///
/// Threading: ncurses is not thread-safe, so one dedicated thread makes every curses call —
/// `newterm`, painting, `wget_wch` (which waits at most `keyPollMilliseconds` for a key, so an
/// idle screen wakes 20 times a second and does nothing else) and `endwin`. Every method here
/// may be called from any thread or task: it only posts to that thread's mailbox. Frames are
/// coalesced (only the latest one posted is painted) and painted within one poll interval, or
/// within 5 ms when they answer a key. SIGWINCH arrives as a `.resize` key; SIGINT, SIGTERM and
/// SIGHUP stop the screen and end the key streams (see `stopReason`); an atexit hook restores
/// the terminal if the process exits while the screen is up.
public final class TerminalScreen: Sendable {
    /// Why the screen stopped.
    public enum StopReason: Sendable, Equatable {
        /// `stop()` was called.
        case requested
        /// SIGINT, SIGTERM or SIGHUP arrived; the owner should exit (by convention with 128 + signal).
        case signal(Int32)
    }

    public let capabilities: TerminalCapabilities
    private let mailbox: Mailbox

    private init(capabilities: TerminalCapabilities, mailbox: Mailbox) {
        self.capabilities = capabilities
        self.mailbox = mailbox
    }

    /// Takes over the terminal (alternate screen, no echo, keypad mode) on a thread of its own.
    /// Throws `TerminalError` when stdin or stdout is not a terminal, TERM names no terminfo
    /// entry or one that cannot move the cursor, or another screen is running. `environment` (default: the process's) supplies
    /// TERM, NO_COLOR; the locale always comes from the process (`setlocale(LC_ALL, "")`).
    public static func start(environment: [String: String]? = nil, keyPollMilliseconds: Int32 = 50) throws -> TerminalScreen {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard isatty(STDIN_FILENO) == 1 else { throw TerminalError.notATerminal("standard input") }
        guard isatty(STDOUT_FILENO) == 1 else { throw TerminalError.notATerminal("standard output") }
        guard CursesThread.running.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged
        else { throw TerminalError.alreadyActive }
        let mailbox = Mailbox()
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread {
            CursesThread.run(mailbox: mailbox, environment: environment, keyPollMilliseconds: keyPollMilliseconds) { result in
                mailbox.state.withLock { $0.started = result }
                ready.signal()
            }
        }
        thread.name = "lessor-curses"
        thread.start()
        ready.wait()
        guard let started = mailbox.state.withLock({ $0.started }) else { throw TerminalError.unknownTerminal(nil) }
        return TerminalScreen(capabilities: try started.get(), mailbox: mailbox)
    }

    /// The screen's size in cells, as of the last resize.
    public var size: (width: Int, height: Int) { mailbox.state.withLock { ($0.width, $0.height) } }

    /// Set once the screen has stopped.
    public var stopReason: StopReason? { mailbox.state.withLock { $0.stopped } }

    /// Keys as they are typed, `.resize` after the terminal changed size (`size` is already
    /// updated then). Each call gets its own stream of every key from then on; all streams
    /// finish when the screen stops.
    public func keys() -> AsyncStream<Key> {
        let (stream, continuation) = AsyncStream.makeStream(of: Key.self)
        let id = mailbox.state.withLock { state -> Int? in
            guard state.stopped == nil else { return nil }
            state.nextListener += 1
            state.listeners[state.nextListener] = continuation
            return state.nextListener
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        let mailbox = mailbox
        continuation.onTermination = { _ in _ = mailbox.state.withLock { $0.listeners.removeValue(forKey: id) } }
        return stream
    }

    /// Posts a frame. Only the latest frame posted before the curses thread gets to it is
    /// painted, and only its cells that differ from the last painted frame (all of them after a
    /// resize or when `styles` changed). Roles missing from `styles` are painted plain.
    public func show(_ grid: CellGrid, styles: [ColorRole: ResolvedStyle]) {
        mailbox.state.withLock { $0.frame = Frame(grid: grid, styles: styles) }
    }

    /// Repaints the whole terminal with the next frame (after something else wrote on it).
    public func redraw() {
        mailbox.state.withLock { $0.redraw = true }
    }

    /// Restores the terminal (`endwin`) and ends the key streams; returns once that is done
    /// (or after 2 s if the curses thread is stuck). Idempotent; callable from any thread.
    public func stop() {
        mailbox.state.withLock { if $0.stopRequested == nil { $0.stopRequested = .requested } }
        _ = mailbox.exited.wait(timeout: .now() + 2)
        mailbox.exited.signal()  // let the next caller through too
    }

    /// A screen nobody holds any more gives the terminal back.
    deinit { stop() }
}

/// A frame waiting to be painted.
struct Frame: Sendable {
    var grid: CellGrid
    var styles: [ColorRole: ResolvedStyle]
}

/// What the owner's threads and the curses thread share.
final class Mailbox: Sendable {
    struct State {
        var width = 0
        var height = 0
        var frame: Frame?
        var redraw = false
        var stopRequested: TerminalScreen.StopReason?
        var stopped: TerminalScreen.StopReason?
        var listeners: [Int: AsyncStream<Key>.Continuation] = [:]
        var nextListener = 0
        /// The curses thread's answer to `start()`.
        var started: Result<TerminalCapabilities, TerminalError>?
    }

    let state = Mutex(State())
    /// Signalled when the curses thread has restored the terminal and is about to end.
    let exited = DispatchSemaphore(value: 0)

    func deliver(_ key: Key) {
        let listeners = state.withLock { Array($0.listeners.values) }
        for listener in listeners { listener.yield(key) }
    }
}

/// The body of the curses thread: the only code that calls curses.
enum CursesThread {
    /// A curses thread is running: one per process, since curses has one terminal.
    static let running = Atomic<Bool>(false)

    static func run(
        mailbox: Mailbox, environment: [String: String], keyPollMilliseconds: Int32,
        started: (Result<TerminalCapabilities, TerminalError>) -> Void
    ) {
        setlocale(LC_ALL, "")
        SignalGuard.install()
        // newterm, unlike initscr, returns nil for an unknown TERM instead of exiting.
        func fail(_ error: TerminalError) {
            SignalGuard.restore()
            running.store(false, ordering: .sequentiallyConsistent)
            started(.failure(error))
            mailbox.exited.signal()
        }
        guard let term = environment["TERM"], !term.isEmpty, let output = fdopen(STDOUT_FILENO, "w"),
            let input = fdopen(STDIN_FILENO, "r"), let screen = newterm(term, output, input), let window = lessor_stdscr()
        else { return fail(.unknownTerminal(environment["TERM"])) }
        guard lessor_has_cursor_addressing() != 0 else {
            endwin()
            delscreen(screen)
            return fail(.unsupportedTerminal(term))
        }
        SignalGuard.cursesActive.store(true, ordering: .sequentiallyConsistent)
        cbreak()
        noecho()
        nonl()
        intrflush(window, false)
        keypad(window, true)
        set_escdelay(25)
        curs_set(0)
        let hasColors = has_colors()
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        var defaultColors = false
        if hasColors, !noColor {
            start_color()
            defaultColors = use_default_colors() != ERR
        }
        let capabilities = TerminalCapabilities.decide(
            environment: environment, hasColors: hasColors && !noColor, colors: hasColors && !noColor ? Int(lessor_colors()) : 0,
            directColor: tigetflag("RGB") > 0 || tigetnum("RGB") > 0, codeset: String(cString: lessor_codeset()))
        mailbox.state.withLock {
            $0.width = Int(lessor_cols())
            $0.height = Int(lessor_lines())
        }
        started(.success(capabilities))

        let painter = CursesPainter(window: window, capabilities: capabilities, defaultColors: defaultColors)
        loop(mailbox: mailbox, window: window, painter: painter, keyPollMilliseconds: keyPollMilliseconds)

        endwin()
        SignalGuard.cursesActive.store(false, ordering: .sequentiallyConsistent)
        delscreen(screen)
        SignalGuard.restore()
        let listeners = mailbox.state.withLock { state in
            state.stopped = state.stopRequested ?? .requested
            defer { state.listeners = [:] }
            return Array(state.listeners.values)
        }
        for listener in listeners { listener.finish() }
        running.store(false, ordering: .sequentiallyConsistent)
        mailbox.exited.signal()
    }

    /// After a key the owner usually answers with a frame within a millisecond or two: poll
    /// this often for a few rounds so that frame is painted at once, not a whole interval later.
    private static let quickPollMilliseconds: Int32 = 5
    private static let quickPollRounds = 4

    private static func loop(
        mailbox: Mailbox, window: UnsafeMutablePointer<WINDOW>, painter: CursesPainter, keyPollMilliseconds: Int32
    ) {
        var quickRounds = 0
        while true {
            let signal = SignalGuard.received.exchange(0, ordering: .sequentiallyConsistent)
            let (frame, redraw, stop) = mailbox.state.withLock { state in
                if signal != 0, state.stopRequested == nil { state.stopRequested = .signal(signal) }
                defer {
                    state.frame = nil
                    state.redraw = false
                }
                return (state.frame, state.redraw, state.stopRequested != nil)
            }
            if stop { return }
            if redraw { painter.invalidate(clearScreen: true) }
            if let frame { painter.paint(frame.grid, styles: frame.styles) }

            wtimeout(window, quickRounds > 0 ? quickPollMilliseconds : keyPollMilliseconds)
            quickRounds = max(0, quickRounds - 1)
            var code: wint_t = 0
            let status = wget_wch(window, &code)
            guard let key = KeyDecoder.decode(status: status, code: code) else { continue }
            quickRounds = quickPollRounds
            if key == .resize {
                mailbox.state.withLock {
                    $0.width = Int(lessor_cols())
                    $0.height = Int(lessor_lines())
                }
                painter.invalidate(clearScreen: false)
            }
            mailbox.deliver(key)
        }
    }
}
