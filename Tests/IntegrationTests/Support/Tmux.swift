import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension Trait where Self == ConditionTrait {
    /// Skips (with the reason) where tmux is not installed.
    static var needsTmux: Self {
        .enabled(if: TmuxServer.executable != nil, "tmux is not installed (apt-get install tmux)")
    }
}

/// A private tmux server (its own `-L` socket, no config file, no TMUX or NO_COLOR in its
/// environment) with one window running a plain `sh`: tests type command lines into it, send keys and read the screen back. Every wait is a
/// bounded poll of `capture-pane`. `kill()` stops only this server, by its socket name.
final class TmuxServer: Sendable {
    static let executable = executablePath("tmux")

    let socket: String
    private let tmux: String
    /// The socket file, which tmux leaves behind when its server exits.
    private let socketPath = Mutex<String?>(nil)

    /// Starts the server with a `width`×`height` window at a `$ ` prompt.
    init(width: Int, height: Int) async throws {
        guard let tmux = Self.executable else { throw LabError("tmux is not installed") }
        self.tmux = tmux
        socket = "lessor-it-\(getpid())-\(UUID().uuidString.prefix(8))"
        try await Self.startWithCleanSignals(
            [tmux, "-L", socket, "-f", "/dev/null", "new-session", "-d", "-x", "\(width)", "-y", "\(height)", "env PS1='$ ' sh"])
        let path = try await display("#{socket_path}")
        socketPath.withLock { $0 = path }
        _ = try await waitForScreen("the shell prompt") { $0.contains("$") }
    }

    /// Runs `tmux -L <socket> <arguments>` (outside any tmux the test itself runs in).
    @discardableResult
    func run(_ arguments: [String]) async throws -> String {
        let result = try await ChildProcess.run(
            ["/usr/bin/env", "-u", "TMUX", tmux, "-L", socket] + arguments, timeout: .seconds(10))
        guard result.succeeded else { throw LabError("tmux failed: \(result)") }
        return result.output
    }

    /// Types `line` literally at the prompt and presses Enter.
    func type(_ line: String) async throws {
        try await run(["send-keys", "-l", line])
        try await run(["send-keys", "Enter"])
    }

    /// Sends keys by tmux's names (`Up`, `F5`, `C-c`, `q`).
    func press(_ keys: String...) async throws {
        try await run(["send-keys"] + keys)
    }

    /// The visible screen as text, or with SGR escape sequences for colours and attributes.
    func screen(escapes: Bool = false) async throws -> String {
        try await run(["capture-pane", "-p"] + (escapes ? ["-e"] : []))
    }

    /// A tmux format of the pane, e.g. `#{alternate_on}`.
    func display(_ format: String) async throws -> String {
        try await run(["display-message", "-p", format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls the screen every 50 ms, up to `timeout`, until `predicate` holds; returns that screen.
    @discardableResult
    func waitForScreen(
        _ what: String, escapes: Bool = false, timeout: Duration = .seconds(10), _ predicate: (String) -> Bool
    ) async throws -> String {
        var last = ""
        do {
            return try await eventually(what, timeout: timeout, interval: .milliseconds(50)) { () -> String? in
                last = try await screen(escapes: escapes)
                return predicate(last) ? last : nil
            }
        } catch {
            throw LabError("\(error)\n--- the screen:\n\(last)")
        }
    }

    /// Runs the command that starts the server with an empty signal mask and default
    /// dispositions. Test threads (Dispatch's) block most signals and every child inherits that
    /// mask: a tmux server that cannot see SIGCHLD never notices its panes exit and hangs, and
    /// the programs in its panes would never see SIGWINCH or SIGINT.
    private static func startWithCleanSignals(_ command: [String]) async throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGTSTP, SIGTTIN, SIGTTOU] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var files = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&files)
        defer { posix_spawn_file_actions_destroy(&files) }
        for descriptor in Int32(0)...2 { posix_spawn_file_actions_addopen(&files, descriptor, "/dev/null", O_RDWR, 0) }

        var environment = ProcessInfo.processInfo.environment
        environment["TMUX"] = nil
        environment["NO_COLOR"] = nil  // `swift test` sets it; tests that want it say so
        let arguments = command.map { strdup($0) } + [nil]
        let variables = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (arguments + variables).forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, command[0], &files, &attributes, arguments, variables)
        guard spawned == 0 else { throw LabError("cannot start \(command): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        let exited = try? await eventually("`tmux new-session` to return", timeout: .seconds(10), interval: .milliseconds(20)) {
            waitpid(pid, &status, WNOHANG) == pid ? true : nil
        }
        guard exited != nil else {
            Glibc.kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            throw LabError("\(command.joined(separator: " ")) did not return within 10 s")
        }
        guard status == 0 else { throw LabError("\(command.joined(separator: " ")) failed (wait status \(status))") }
    }

    /// Stops this server (and what runs in it). Synchronous, for `defer`.
    func kill() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tmux)
        process.arguments = ["-L", socket, "kill-server"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if (try? process.run()) != nil { process.waitUntilExit() }
        if let path = socketPath.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
    }
}
