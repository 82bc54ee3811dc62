import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The terminal layer end to end: `lessor debug screen-demo` in a private tmux server, driven
/// by keys, resized, quit, and read back with `capture-pane`.
@Suite("The terminal layer in tmux", .needsTmux, .timeLimit(.minutes(2)))
struct ScreenDemoTests {
    /// The command line typed at the shell prompt; its exit status is echoed after it.
    private func demo(_ environment: String) -> String {
        "\(environment) '\(Paths.lessor)' debug screen-demo; echo \"demo exited $?\""
    }

    @Test func paintsReadsKeysFollowsResizesAndRestoresTheTerminal() async throws {
        let tmux = try await TmuxServer(width: 100, height: 30)
        defer { tmux.kill() }
        try await tmux.type(demo("TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8"))

        var screen = try await tmux.waitForScreen("the demo's first frame") { $0.contains("size: 100x30") }
        var lines = screen.components(separatedBy: "\n")
        #expect(lines[0].hasPrefix("┌─ lessor screen-demo ─"))
        #expect(lines[0].hasSuffix("─┐"))
        // The bottom-right corner is painted and nothing scrolled.
        #expect(lines[29] == "└" + String(repeating: "─", count: 98) + "┘")
        #expect(screen.contains("colours: 256  unicode: yes"))
        #expect(screen.contains("last key: none"))

        let colours = try await tmux.screen(escapes: true)
        #expect(colours.contains("\u{1B}[38;5;220mwarn"), "warn in 256-colour yellow")
        #expect(colours.contains("38;5;196mcritical"), "critical in 256-colour red")

        for (key, shown) in [("x", #"character("x")"#), ("Up", "up"), ("F5", "function(5)"), ("PageDown", "pageDown"), ("C-a", #"control("a")"#)] {
            try await tmux.press(key)
            try await tmux.waitForScreen("the key \(key) shown as \(shown)") { $0.contains("last key: \(shown) ") }
        }
        try await tmux.run(["send-keys", "-l", "é"])
        try await tmux.waitForScreen("a non-ASCII key") { $0.contains(#"last key: character("é")"#) }

        try await tmux.run(["resize-window", "-x", "120", "-y", "40"])
        screen = try await tmux.waitForScreen("the layout at 120x40") { $0.contains("size: 120x40") }
        lines = screen.components(separatedBy: "\n")
        #expect(lines[0].count == 120 && lines[0].hasSuffix("─┐"))
        #expect(lines[39] == "└" + String(repeating: "─", count: 118) + "┘")
        #expect(!screen.contains("size: 100x30"))

        try await tmux.press("q")
        screen = try await tmux.waitForScreen("the shell after q") { $0.contains("demo exited 0") }
        #expect(screen.contains("screen-demo: 120x40, colours 256, unicode yes"))
        #expect(!screen.contains("lessor screen-demo"), "the demo's screen is gone")
        #expect(try await tmux.display("#{alternate_on}") == "0", "the alternate screen was left")
        #expect(try await tmux.display("#{pane_current_command}") == "sh")
    }

    @Test func vt100InTheCLocaleIsMonochromeASCII() async throws {
        let tmux = try await TmuxServer(width: 100, height: 30)
        defer { tmux.kill() }
        try await tmux.type(demo("TERM=vt100 LANG=C LC_ALL=C"))

        var screen = try await tmux.waitForScreen("the demo's first frame") { $0.contains("size: 100x30") }
        let lines = screen.components(separatedBy: "\n")
        #expect(lines[0].hasPrefix("+- lessor screen-demo -"))
        #expect(lines[29] == "+" + String(repeating: "-", count: 98) + "+")
        #expect(screen.contains("colours: mono  unicode: no"))
        #expect(screen.unicodeScalars.allSatisfy { $0.isASCII }, "ASCII only")
        let escaped = try await tmux.screen(escapes: true)
        #expect(Self.colourSequences(escaped).isEmpty, "no colour escapes: \(Self.colourSequences(escaped))")
        #expect(escaped.contains("\u{1B}[1;7m") || escaped.contains("\u{1B}[7m"), "the header is shown reversed")

        try await tmux.run(["send-keys", "-l", "k"])
        try await tmux.waitForScreen("the key") { $0.contains(#"last key: character("k")"#) }
        try await tmux.run(["resize-window", "-x", "80", "-y", "24"])
        screen = try await tmux.waitForScreen("the layout at 80x24") { $0.contains("size: 80x24") }
        #expect(screen.components(separatedBy: "\n")[23] == "+" + String(repeating: "-", count: 78) + "+")

        try await tmux.press("q")
        screen = try await tmux.waitForScreen("the shell after q") { $0.contains("demo exited 0") }
        #expect(screen.contains("screen-demo: 80x24, colours mono, unicode no"))
        #expect(try await tmux.display("#{alternate_on}") == "0")
    }

    @Test func noColorMeansMonochromeOnAColourTerminal() async throws {
        let tmux = try await TmuxServer(width: 80, height: 24)
        defer { tmux.kill() }
        try await tmux.type(demo("NO_COLOR=1 TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8"))
        try await tmux.waitForScreen("the demo's first frame") { $0.contains("colours: mono  unicode: yes") }
        let escaped = try await tmux.screen(escapes: true)
        #expect(Self.colourSequences(escaped).isEmpty, "no colour escapes: \(Self.colourSequences(escaped))")
        try await tmux.press("q")
        try await tmux.waitForScreen("the shell after q") { $0.contains("demo exited 0") }
    }

    @Test func ctrlCRestoresTheTerminalAndExitsWithTheSignal() async throws {
        let tmux = try await TmuxServer(width: 80, height: 24)
        defer { tmux.kill() }
        try await tmux.type(demo("TERM=xterm-256color"))
        try await tmux.waitForScreen("the demo's first frame") { $0.contains("size: 80x24") }
        try await tmux.press("C-c")
        let screen = try await tmux.waitForScreen("the shell after Ctrl-C") { $0.contains("demo exited 130") }
        #expect(!screen.contains("lessor screen-demo"))
        #expect(try await tmux.display("#{alternate_on}") == "0")
    }

    @Test func anIdleScreenUsesAlmostNoCPU() async throws {
        let tmux = try await TmuxServer(width: 80, height: 24)
        defer { tmux.kill() }
        try await tmux.type(demo("TERM=xterm-256color"))
        try await tmux.waitForScreen("the demo's first frame") { $0.contains("size: 80x24") }
        let shell = try await tmux.display("#{pane_pid}")
        let demo = try await eventually("the demo's process") { () -> String? in
            let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
            return children.split(separator: " ").first.map(String.init)
        }
        let before = try Self.cpuTicks(demo)
        try await Task.sleep(for: .seconds(2))  // the measuring window, not a wait for state
        let used = try Self.cpuTicks(demo) - before
        let perSecond = sysconf(Int32(_SC_CLK_TCK))
        #expect(used * 20 < 2 * perSecond, "idle demo used \(used) ticks (of \(perSecond)/s) in 2 s: over 5% of a core")
        try await tmux.press("q")
        try await tmux.waitForScreen("the shell after q") { $0.contains("demo exited 0") }
    }

    @Test func aNonTerminalOrUnknownTERMIsAClearError() async throws {
        let piped = try await ChildProcess.run([Paths.lessor, "debug", "screen-demo"], timeout: .seconds(30))
        #expect(!piped.succeeded)
        #expect(piped.errors.contains("is not a terminal"), "\(piped)")

        let tmux = try await TmuxServer(width: 80, height: 24)
        defer { tmux.kill() }
        try await tmux.type(demo("TERM=no-such-terminal"))
        let screen = try await tmux.waitForScreen("the error") { $0.contains("demo exited") }
        #expect(screen.contains(#"unknown terminal type "no-such-terminal""#))
        #expect(!screen.contains("demo exited 0"))
    }

    /// The SGR sequences in a `capture-pane -e` screen that set a colour (30–38, 40–48,
    /// 90–97, 100–107); 39 and 49 (the default colours) and attributes do not count.
    static func colourSequences(_ screen: String) -> [String] {
        screen.components(separatedBy: "\u{1B}[").dropFirst().compactMap { part -> String? in
            let parameters = part.prefix { $0.isNumber || $0 == ";" || $0 == ":" }
            guard part.dropFirst(parameters.count).first == "m" else { return nil }
            let colour = parameters.split(whereSeparator: { $0 == ";" || $0 == ":" }).compactMap { Int($0) }.contains {
                (30...38).contains($0) || (40...48).contains($0) || (90...97).contains($0) || (100...107).contains($0)
            }
            return colour ? String(parameters) : nil
        }
    }

    /// utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15).
    static func cpuTicks(_ pid: String) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name, which is in parentheses and may contain spaces.
        guard let close = stat.lastIndex(of: ")") else { throw LabError("unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else {
            throw LabError("unreadable /proc/\(pid)/stat: \(stat)")
        }
        return user + system
    }
}
