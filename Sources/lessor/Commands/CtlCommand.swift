import ArgumentParser
import DHCPServer
import Foundation
import LeaseStore
import LessorControl

/// `lessor ctl`: one request to the control socket of a running `lessor serve`, its responses
/// printed as JSON lines. Exits non-zero, with the server's message on stderr, when the answer
/// is an error.
struct CtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl", abstract: "Ask a running server through its control socket (JSON lines out).",
        discussion: "The socket is --socket, else the configuration's control.socket, else \(ControlServerConfiguration.defaultSocketPath).",
        subcommands: [Status.self, Pools.self, Leases.self, Lease.self, Release.self, Extend.self, Subscribe.self])

    /// Here too, so `lessor ctl --socket PATH status` works as well as `lessor ctl status --socket PATH`.
    @OptionGroup var connection: Connection

    struct Connection: ParsableArguments {
        @Option(help: "The control socket.") var socket: String?
        @Option(name: .shortAndLong, help: "A configuration file whose control.socket to use.") var config: String?

        func socketPath() throws -> String {
            if let socket { return socket }
            let file = config ?? "lessor.yaml"
            guard config != nil || FileManager.default.fileExists(atPath: file) else {
                return ControlServerConfiguration.defaultSocketPath
            }
            guard let control = try ConfigurationLoader.load(file: file).control else {
                throw ValidationError("\(file) turns the control socket off (control.enabled: false)")
            }
            return control.socketPath
        }

        /// Connects, sends `request`, prints the response; fails on an error response.
        func run(_ request: ControlRequest) async throws {
            let client = try await connect()
            defer { Task { await client.close() } }
            try emit(try await client.request(request))
        }

        func connect() async throws -> ControlClient {
            do {
                return try await ControlClient.connect(path: try socketPath())
            } catch let error as ControlClientError {
                printError("lessor ctl: \(error.message)")
                throw ExitCode(2)
            }
        }

        func emit(_ response: ControlResponse) throws {
            print(String(decoding: try response.encodedLine().dropLast(), as: UTF8.self))
            if let error = response.error, !response.ok {
                printError("lessor ctl: \(error.code.rawValue): \(error.message)")
                throw ExitCode(1)
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Server, store and packet counters.")
        @OptionGroup var connection: Connection
        func run() async throws { try await connection.run(ControlRequest(id: 1, command: .status)) }
    }

    struct Pools: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Per pool: size, active, offered, declined, held, free.")
        @OptionGroup var connection: Connection
        func run() async throws { try await connection.run(ControlRequest(id: 1, command: .pools)) }
    }

    struct Leases: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A page of leases (--after continues from a response's next).")
        @OptionGroup var connection: Connection
        @Option(help: "Only leases from this pool.") var pool: String?
        @Option(help: "Only leases in this state (offered, active, released, declined, expired).") var state: String?
        @Option(help: "Page size (1–5000).") var limit: Int?
        @Option(help: "Continue after this cursor (a previous response's next).") var after: String?

        func run() async throws {
            let state = try self.state.map { name in
                guard let value = LeaseState.allCases.first(where: { $0.description == name }) else {
                    throw ValidationError("--state: '\(name)' is not one of \(LeaseState.allCases.map(\.description).joined(separator: ", "))")
                }
                return value
            }
            try await connection.run(ControlRequest(id: 1, command: .leases, pool: pool, state: state, after: after, limit: limit))
        }
    }

    struct Lease: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One client's leases, or the holder of an address or prefix.")
        @OptionGroup var connection: Connection
        @Argument(help: "A client (hw:1:aa:bb:…, id:…, duid:…, or a MAC) or an address.") var target: String

        func run() async throws {
            let isAddress = LeaseResource(text: target) != nil
            try await connection.run(
                ControlRequest(id: 1, command: .lease, client: isAddress ? nil : target, address: isAddress ? target : nil))
        }
    }

    struct LeaseSelection: ParsableArguments {
        @Argument(help: "The client (hw:1:aa:bb:…, id:…, duid:…, or a MAC).") var client: String
        @Option(help: "The lease version you saw (a lease's version field); a newer one answers conflict.")
        var leaseVersion: UInt64
        @Option(help: "The lease's kind (v4, ia_na, ia_ta, ia_pd).") var kind = "v4"
        @Option(help: "The lease's IAID (DHCPv6).") var iaid: UInt32 = 0

        func leaseKind() throws -> LeaseKind {
            guard let value = LeaseKind.allCases.first(where: { $0.description == kind }) else {
                throw ValidationError("--kind: '\(kind)' is not one of \(LeaseKind.allCases.map(\.description).joined(separator: ", "))")
            }
            return value
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release a lease: its address stays held until the lease would have ended, unless --force.")
        @OptionGroup var connection: Connection
        @OptionGroup var lease: LeaseSelection
        @Flag(help: "Delete the lease: the address is free at once (the client may still be using it).") var force = false

        func run() async throws {
            try await connection.run(
                ControlRequest(
                    id: 1, command: .release, client: lease.client, kind: try lease.leaseKind(), iaid: lease.iaid,
                    leaseVersion: lease.leaseVersion, force: force ? true : nil))
        }
    }

    struct Extend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set an active lease's expiry to now + --seconds.")
        @OptionGroup var connection: Connection
        @OptionGroup var lease: LeaseSelection
        @Option(help: "The new lifetime from now, in seconds.") var seconds: Int

        func run() async throws {
            try await connection.run(
                ControlRequest(
                    id: 1, command: .extend, client: lease.client, kind: try lease.leaseKind(), iaid: lease.iaid,
                    leaseVersion: lease.leaseVersion, seconds: seconds))
        }
    }

    struct Subscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A snapshot, then every lease change as it commits.")
        @OptionGroup var connection: Connection
        @Option(help: "Stop after this many events (snapshot included).") var count: Int?

        func run() async throws {
            let client = try await connection.connect()
            defer { Task { await client.close() } }
            var seen = 0
            do {
                for try await event in client.subscribe() {
                    try connection.emit(event)
                    seen += 1
                    if let count, seen >= count { return }
                }
            } catch let error as ControlError {
                try connection.emit(.failure(id: 0, error))
            } catch let error as ControlClientError {
                printError("lessor ctl: \(error.message)")
                throw ExitCode(2)
            }
        }
    }
}
