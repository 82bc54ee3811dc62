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
        let session = TopSession(socket: path, readonly: readonly, themeName: theme, themesDirectory: themes)
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
