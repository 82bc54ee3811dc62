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
    private func demo(_ environment: String, arguments: String = "") -> String {
        "\(environment) '\(Paths.lessor)' debug screen-demo \(arguments); echo \"demo exited $?\""
    }

    /// The status the shell echoed after the demo (not the command line's `$?`), or nil.
    private static func exitStatus(_ screen: String) -> Int? {
        screen.split(separator: "\n").lazy.compactMap { line in
            line.hasPrefix("demo exited ") ? Int(line.dropFirst("demo exited ".count).trimmingCharacters(in: .whitespaces)) : nil
        }.first
    }

    /// The demo's whole frame is on the screen: its size line and the bottom border's last cell.
    private static func framePainted(_ screen: String, width: Int, height: Int) -> Bool {
        let lines = screen.components(separatedBy: "\n")
        return screen.contains("size: \(width)x\(height)") && lines.count >= height && lines[height - 1].count == width
            && lines[height - 1].last != " "
    }

    /// A tmux server of `width`×`height` running the demo with `environment`, and the demo's
    /// first frame. The caller kills the server.
    private func startDemo(_ environment: String, width: Int, height: Int) async throws -> (TmuxServer, String) {
        let tmux = try await TmuxServer(width: width, height: height)
        do {
            try await tmux.type(demo(environment))
            let screen = try await tmux.waitForScreen("the demo's first frame") {
                Self.framePainted($0, width: width, height: height)
            }
            return (tmux, screen)
        } catch {
            tmux.kill()
            throw error
        }
    }

    /// Presses q and returns the shell's screen once the demo has exited 0 and the alternate
    /// screen is left.
    @discardableResult
    private func quit(_ tmux: TmuxServer) async throws -> String {
        try await tmux.press("q")
        let screen = try await tmux.waitForScreen("the shell after q") { Self.exitStatus($0) != nil }
        #expect(Self.exitStatus(screen) == 0)
        #expect(try await tmux.display("#{alternate_on}") == "0", "the alternate screen was left")
        return screen
    }

    @Test func paintsReadsKeysFollowsResizesAndRestoresTheTerminal() async throws {
        let (tmux, firstFrame) = try await startDemo("TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8", width: 100, height: 30)
        defer { tmux.kill() }
        var screen = firstFrame
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
        screen = try await tmux.waitForScreen("the layout at 120x40") { Self.framePainted($0, width: 120, height: 40) }
        lines = screen.components(separatedBy: "\n")
        #expect(lines[0].count == 120 && lines[0].hasSuffix("─┐"))
        #expect(lines[39] == "└" + String(repeating: "─", count: 118) + "┘")
        #expect(!screen.contains("size: 100x30"))

        screen = try await quit(tmux)
        #expect(screen.contains("screen-demo: 120x40, colours 256, unicode yes"))
        #expect(!screen.contains("lessor screen-demo"), "the demo's screen is gone")
        #expect(try await tmux.display("#{pane_current_command}") == "sh")
    }

    @Test func vt100InTheCLocaleIsMonochromeASCII() async throws {
        let (tmux, firstFrame) = try await startDemo("TERM=vt100 LANG=C LC_ALL=C", width: 100, height: 30)
        defer { tmux.kill() }
        var screen = firstFrame
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
        screen = try await tmux.waitForScreen("the layout at 80x24") { Self.framePainted($0, width: 80, height: 24) }
        #expect(screen.components(separatedBy: "\n")[23] == "+" + String(repeating: "-", count: 78) + "+")

        screen = try await quit(tmux)
        #expect(screen.contains("screen-demo: 80x24, colours mono, unicode no"))
    }

    @Test(.enabled(if: executablePath("tic") != nil, "tic (ncurses-bin) is not installed"))
    func aDirectColourTerminfoGetsTruecolor() async throws {
        // ncurses-term's xterm-direct may be missing: compile an equivalent entry.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lessor-it-terminfo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = directory + "/lessor-direct.src"
        try Data(Self.directColourTerminfo.utf8).write(to: URL(fileURLWithPath: source))
        let compiled = try await ChildProcess.run([executablePath("tic") ?? "tic", "-x", "-o", directory, source], timeout: .seconds(30))
        try #require(compiled.succeeded, "\(compiled)")

        let (tmux, screen) = try await startDemo(
            "TERMINFO='\(directory)' TERM=lessor-direct LANG=C.UTF-8 LC_ALL=C.UTF-8", width: 80, height: 24)
        defer { tmux.kill() }
        #expect(screen.contains("colours: truecolor  unicode: yes"))
        let escaped = try await tmux.screen(escapes: true)
        #expect(escaped.contains("\u{1B}[38;2;255;215;0mwarn"), "warn in 0xFFD700")
        #expect(escaped.contains("38;2;255;48;48mcritical"), "critical in 0xFF3030")
        try await quit(tmux)
    }

    /// xterm-256color with direct colours, as ncurses-term's xterm-direct (semicolons in SGR 38/48).
    static let directColourTerminfo = #"""
        lessor-direct|xterm-256color with direct colour (Lessor tests),
            colors#0x1000000, pairs#0x10000, RGB,
            setaf=\E[%?%p1%{8}%<%t3%p1%d%e38;2;%p1%{65536}%/%d;%p1%{256}%/%{255}%&%d;%p1%{255}%&%d%;m,
            setab=\E[%?%p1%{8}%<%t4%p1%d%e48;2;%p1%{65536}%/%d;%p1%{256}%/%{255}%&%d;%p1%{255}%&%d%;m,
            use=xterm-256color,

        """#

    @Test func noColorMeansMonochromeOnAColourTerminal() async throws {
        let (tmux, screen) = try await startDemo("NO_COLOR=1 TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8", width: 80, height: 24)
        defer { tmux.kill() }
        #expect(screen.contains("colours: mono  unicode: yes"))
        let escaped = try await tmux.screen(escapes: true)
        #expect(Self.colourSequences(escaped).isEmpty, "no colour escapes: \(Self.colourSequences(escaped))")
        try await quit(tmux)
    }

    @Test func frameAfterFrameOnlyTheLastOneStaysOnScreen() async throws {
        let tmux = try await TmuxServer(width: 80, height: 24)
        defer { tmux.kill() }
        try await tmux.type(demo("TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8", arguments: "--frames 40"))
        let screen = try await tmux.waitForScreen("the last animation frame") { $0.contains("frame 40/40") }
        #expect(screen.contains("│ " + String(repeating: "█", count: 20) + " "), "the bar is full, nothing of earlier frames left")
        #expect(!screen.contains("░"))
        try await quit(tmux)
    }

    @Test func ctrlCRestoresTheTerminalAndExitsWithTheSignal() async throws {
        let (tmux, _) = try await startDemo("TERM=xterm-256color", width: 80, height: 24)
        defer { tmux.kill() }
        try await tmux.press("C-c")
        let screen = try await tmux.waitForScreen("the shell after Ctrl-C") { Self.exitStatus($0) != nil }
        #expect(Self.exitStatus(screen) == 128 + Int(SIGINT))
        #expect(!screen.contains("lessor screen-demo"))
        #expect(try await tmux.display("#{alternate_on}") == "0")
    }

    @Test func anIdleScreenUsesAlmostNoCPU() async throws {
        let (tmux, _) = try await startDemo("TERM=xterm-256color", width: 80, height: 24)
        defer { tmux.kill() }
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
        try await quit(tmux)
    }

    @Test func aPipeIsAClearError() async throws {
        let piped = try await ChildProcess.run([Paths.lessor, "debug", "screen-demo"], timeout: .seconds(30))
        #expect(!piped.succeeded)
        #expect(piped.errors.contains("standard input is not a terminal"), "\(piped)")
    }

    @Test(arguments: [
        ("no-such-terminal", #"unknown terminal type "no-such-terminal""#),
        ("dumb", #"terminal type "dumb" cannot move the cursor"#),
    ])
    func anUnusableTERMIsAClearError(term: String, message: String) async throws {
        let tmux = try await TmuxServer(width: 80, height: 24)
        defer { tmux.kill() }
        try await tmux.type(demo("TERM=\(term)"))
        let screen = try await tmux.waitForScreen("the error") { Self.exitStatus($0) != nil }
        #expect(screen.contains(message))
        #expect(Self.exitStatus(screen) != 0)
        #expect(screen.components(separatedBy: "\n").allSatisfy { !$0.contains("lessor screen-demo") }, "nothing drawn")
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
