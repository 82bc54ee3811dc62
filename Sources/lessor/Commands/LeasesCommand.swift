import ArgumentParser
import DHCPServer
import DHCPWire
import Foundation
import LeaseStore

struct LeasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leases", abstract: "List or query the leases in the store.",
        discussion: "Reads the store named in the configuration (or --database) while the server runs.")

    @Option(name: .shortAndLong, help: "The configuration file (its store section says where the leases are).")
    var config = "lessor.yaml"
    @Option(help: "A SQLite lease database to read instead of the configuration's store.") var database: String?
    @Option(help: "Only this client (hw:1:aa:bb:…, id:01aa…, duid:0001…, or a MAC).") var client: String?
    @Option(help: "Only the lease holding this address or prefix.") var address: String?
    @Option(help: "Only leases from this pool.") var pool: String?
    @Option(help: "Only leases in this state (offered, active, released, declined, expired).") var state: String?
    @Flag(help: "Print JSON (one array of {client, lease}).") var json = false

    func run() async throws {
        let storeConfiguration: StoreConfiguration
        if let database {
            storeConfiguration = StoreConfiguration(provider: .sqlite(path: database, synchronous: "normal"))
        } else {
            storeConfiguration = try ConfigurationLoader.load(file: config).store
        }
        let store = try StoreFactory.open(storeConfiguration)
        defer { Task { await StoreFactory.close(store) } }

        var records: [LeaseRecord]
        if let address {
            guard let resource = LeaseResource(text: address) else { throw ValidationError("--address: '\(address)' is not an address or prefix") }
            records = try await store.holder(of: resource).map { [$0] } ?? []
        } else if let client {
            guard let id = ClientID(text: client) ?? HardwareAddress(client).map(ClientID.hardware) else {
                throw ValidationError("--client: '\(client)' is not a client id (hw:1:aa:bb:…, id:…, duid:…) or a MAC")
            }
            records = try await store.read(id).map { LeaseRecord(client: id, lease: $0) }
        } else {
            var filter = LeaseFilter(pool: pool)
            if let state {
                guard let value = LeaseState.allCases.first(where: { $0.description == state }) else {
                    throw ValidationError("--state: '\(state)' is not one of \(LeaseState.allCases.map(\.description).joined(separator: ", "))")
                }
                filter.states = [value]
            }
            records = try await store.all(matching: filter)
        }
        if let pool { records = records.filter { $0.lease.pool == pool } }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(records), as: UTF8.self))
            return
        }
        let now = Date()
        let rows = records.map { record -> [String] in
            let lease = record.lease
            let remaining = Int(lease.expiresAt.timeIntervalSince(now))
            return [
                record.client.description, lease.resources.map(\.description).joined(separator: " "), lease.state.description,
                remaining >= 0 ? "\(remaining)s" : "-\(-remaining)s", lease.owner, lease.pool ?? "-", lease.hostname ?? "-",
            ]
        }
        printTable(header: ["CLIENT", "ADDRESS", "STATE", "EXPIRES IN", "OWNER", "POOL", "HOSTNAME"], rows: rows)
        print("\(records.count) lease\(records.count == 1 ? "" : "s")")
    }

    private func printTable(header: [String], rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(zip(row, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}
