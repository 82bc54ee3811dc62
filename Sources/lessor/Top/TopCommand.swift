import ArgumentParser
import DHCPServer
import Dashboard
import DashboardTerminal
import Foundation
import LessorControl

struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Watch the leases live and release or extend them (the dashboard).",
        discussion: """
            Connects to a running server's control socket (--socket, or the control section of --config, \
            or \(ControlServerConfiguration.defaultSocketPath)). Press ? in the dashboard for its keys. \
            Themes are the *.theme files of $LESSOR_THEMES, ./themes, <prefix>/share/lessor/themes or \
            /usr/share/lessor/themes (the first that exists).
            """)

    @Option(help: "The control socket.") var socket: String?
    @Option(name: .shortAndLong, help: "A configuration file whose control socket to use.") var config: String?
    @Flag(help: "Watch only: release and extend are disabled.") var readonly = false
    @Option(help: "Start with this theme (a file name in the themes directory, without .theme).") var theme: String?
    @Option(help: "Read themes from this directory.") var themes: String?
    @Flag(help: "Print the dashboard's keys as a Markdown table and exit.") var keys = false
    @Option(help: "A pool is shown as a warning from this percentage used.") var warnPercent: Double = 80
    @Option(help: "A pool is shown as critical from this percentage used.") var criticalPercent: Double = 95
    @Option(help: "A pool is shown as a warning with fewer free addresses than this.") var warnFree: UInt64 = 10
    @Option(help: "A pool is shown as critical with fewer free addresses than this.") var criticalFree: UInt64 = 3

    func validate() throws {
        guard (0...100).contains(warnPercent), (0...100).contains(criticalPercent), warnPercent <= criticalPercent else {
            throw ValidationError("--warn-percent and --critical-percent are 0-100, warning at most critical")
        }
        guard criticalFree <= warnFree else { throw ValidationError("--critical-free must not exceed --warn-free") }
    }

    func run() async throws {
        if keys {
            print(KeyBinding.markdown())
            return
        }
        let path: String
        if let socket {
            path = socket
        } else if let config {
            do {
                guard let control = try ConfigurationLoader.load(file: config).control else {
                    throw ValidationError("\(config) turns the control socket off (control: {enabled: false})")
                }
                path = control.socketPath
            } catch let error as ConfigurationError {
                printError(error.description)
                throw ExitCode(2)
            }
        } else {
            path = ControlServerConfiguration.defaultSocketPath
        }
        var session = TopSession(socket: path, readonly: readonly, themeName: theme, themesDirectory: themes)
        session.thresholds = PoolThresholds(
            warnPercent: warnPercent, criticalPercent: criticalPercent, warnFree: warnFree, criticalFree: criticalFree)
        try await session.runAndExit()
    }
}

extension TopSession {
    /// Runs the session and turns its failures into a message and an exit code.
    func runAndExit() async throws {
        let outcome: Outcome
        do {
            outcome = try await run()
        } catch let error as ControlClientError {
            printError("lessor top: \(error)")
            throw ExitCode(1)
        } catch let error as TerminalError {
            printError("lessor top: \(error)")
            throw ExitCode(1)
        } catch let error as TopError {
            printError("lessor top: \(error)")
            throw ExitCode(1)
        }
        if case .signal(let number) = outcome { throw ExitCode(128 + number) }
    }
}
