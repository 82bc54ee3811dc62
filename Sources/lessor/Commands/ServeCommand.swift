import ArgumentParser
import DHCPServer
import Foundation
import Logging
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the DHCP server.",
        discussion: """
            SIGHUP reloads the configuration (a configuration with errors is rejected and the running one \
            keeps serving); SIGTERM or SIGINT stop the server after requests in flight are committed.
            """)

    @Option(name: .shortAndLong, help: "The configuration file.") var config = "lessor.yaml"
    @Option(help: "Log level (trace, debug, info, notice, warning, error); overrides the file's log_level.")
    var logLevel: String?

    func run() async throws {
        let fileLevel = (try? ConfigurationLoader.load(file: config))?.logLevel
        let level = Logger.Level(rawValue: logLevel ?? fileLevel ?? "info") ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "lessor")
        let server = LessorServer(configurationFile: config, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as ConfigurationError {
            printError(error.description)
            throw ExitCode(2)
        } catch let error as ServerError {
            printError("lessor serve: \(error)")
            throw ExitCode(1)
        }
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
