import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What a finished command printed and how it ended.
struct CommandResult: Sendable, CustomStringConvertible {
    var command: [String]
    var status: Int32
    var output: String
    var errors: String
    var timedOut: Bool

    var succeeded: Bool { status == 0 && !timedOut }

    var description: String {
        var text = "`\(command.joined(separator: " "))` "
        text += timedOut ? "timed out" : "exited \(status)"
        if !output.isEmpty { text += "\n--- stdout\n\(output.suffix(4000))" }
        if !errors.isEmpty { text += "\n--- stderr\n\(errors.suffix(4000))" }
        return text
    }
}

/// A failure of the test machinery itself (a command that failed, a wait that timed out),
/// with everything needed to see why.
struct LabError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A child process started by a test: its output goes to files (never a pipe that could fill
/// up), its exit is awaited without blocking a thread, and it is signalled only by its own PID
/// and only while it has not been seen to exit.
final class ChildProcess: Sendable {
    let command: [String]
    let pid: Int32
    private let process: Mutex<Process?>
    private let state = ExitState()

    /// Set by Foundation's termination handler; read by everything that signals the process.
    private final class ExitState: Sendable {
        let value = Mutex<(exited: Bool, status: Int32)>((false, 0))
        func withLock<R>(_ body: (inout (exited: Bool, status: Int32)) -> R) -> R { value.withLock { body(&$0) } }
    }

    /// Starts `command` (an absolute executable path and its arguments); stdout and stderr go
    /// to the given files (created or truncated).
    init(_ command: [String], stdout: String, stderr: String) throws {
        precondition(!command.isEmpty)
        self.command = command
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try Self.truncatedFile(stdout)
        process.standardError = stdout == stderr ? process.standardOutput : try Self.truncatedFile(stderr)
        let state = self.state
        process.terminationHandler = { finished in
            let status = finished.terminationStatus
            state.withLock { $0 = (true, status) }
        }
        try process.run()
        pid = process.processIdentifier
        self.process = Mutex(process)
    }

    private static func truncatedFile(_ path: String) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw LabError("cannot create \(path)")
        }
        return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    var isRunning: Bool { !state.withLock { $0.exited } }
    /// The exit status, once it has exited (a signal shows as the signal number, as Foundation reports it).
    var exitStatus: Int32? { state.withLock { $0.exited ? $0.status : nil } }

    /// Sends `signal` unless the process has already exited.
    func signal(_ signal: Int32) {
        state.withLock { state in
            if !state.exited { kill(pid, signal) }
        }
    }

    /// Waits up to `timeout` for the process to exit (a bounded poll); true when it did.
    func waitForExit(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while isRunning {
            if clock.now >= deadline { return false }
            do {
                try await Task.sleep(for: .milliseconds(20))
            } catch {
                usleep(20_000)  // cancelled (a time limit): still wait, still bounded by the deadline
            }
        }
        return true
    }

    /// SIGTERM, then SIGKILL after `grace`. Returns the exit status.
    @discardableResult
    func stop(grace: Duration = .seconds(10)) async -> Int32? {
        signal(SIGTERM)
        if await !waitForExit(timeout: grace) {
            signal(SIGKILL)
            _ = await waitForExit(timeout: .seconds(5))
        }
        return exitStatus
    }

    /// Runs a command to completion (SIGTERM at `timeout`, SIGKILL 3 s later) and returns what
    /// it printed.
    static func run(_ command: [String], timeout: Duration = .seconds(60)) async throws -> CommandResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lessor-it-\(UUID().uuidString)")
        let out = scratch.path + ".out", err = scratch.path + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: err)
        }
        let child = try ChildProcess(command, stdout: out, stderr: err)
        var timedOut = false
        if await !child.waitForExit(timeout: timeout) {
            timedOut = true
            child.signal(SIGTERM)
            if await !child.waitForExit(timeout: .seconds(3)) {
                child.signal(SIGKILL)
                _ = await child.waitForExit(timeout: .seconds(5))
            }
        }
        let output = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        return CommandResult(command: command, status: child.exitStatus ?? -1, output: output, errors: errors, timedOut: timedOut)
    }
}

/// Finds an executable by name in PATH and the sbin directories (root's tools live there).
func executablePath(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
    for directory in directories {
        let candidate = directory + "/" + name
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// Polls `probe` every `interval` until it returns a value, at most `timeout` (and a bounded
/// number of attempts). Errors from the probe count as "not yet"; the last one is reported.
func eventually<T>(
    _ what: String, timeout: Duration = .seconds(20), interval: Duration = .milliseconds(250),
    _ probe: () async throws -> T?
) async throws -> T {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    let maxAttempts = Int(timeout / interval) + 2
    var lastError: (any Error)?
    for _ in 0..<maxAttempts {
        do {
            if let value = try await probe() { return value }
        } catch {
            lastError = error
        }
        if clock.now >= deadline { break }
        try await Task.sleep(for: interval)
    }
    throw LabError("timed out after \(timeout) waiting for \(what)" + (lastError.map { "; last error: \($0)" } ?? ""))
}
