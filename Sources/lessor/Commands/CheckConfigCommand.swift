import ArgumentParser
import DHCPServer
import Foundation

/// `lessor check-config FILE`: validates a configuration and the reservations files its `static`
/// plugins name, without starting anything. Prints a one-line summary and exits 0, or prints every
/// problem (`file:line:column: field: message`, one a line, on standard error) and exits 1.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file (and its reservations files) without starting the server.",
        discussion: "Reports every problem with its file, line, column and field. Exits 0 when valid, 1 otherwise.")

    @Argument(help: "The configuration file, e.g. /etc/lessor/lessor.yaml.")
    var file: String

    func run() throws {
        let checked: CheckedConfiguration
        do {
            checked = try ConfigurationLoader.check(file: file)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode.failure
        }
        print("\(file): OK (\(Self.summary(checked)))")
    }

    /// "2 subnets, 3 pools, 4 reservations, plugins: server_id, range", and for server6
    /// "server6: 1 subnet, 2 pools, 1 prefix pool, plugins: server_id, range6"; both joined by "; ".
    static func summary(_ checked: CheckedConfiguration) -> String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        func reservations(_ files: [String?]) -> String {
            count(files.compactMap { $0.flatMap { checked.reservations[$0]?.count } }.reduce(0, +), "reservation")
        }
        var sections: [String] = []
        if let server = checked.configuration.server4 {
            var parts = [count(server.subnets.count, "subnet"), count(server.subnets.reduce(0) { $0 + $1.pools.count }, "pool")]
            let files = server.plugins.filter { $0.name == .static }.map(\.file)
            if !files.isEmpty { parts.append(reservations(files)) }
            parts.append("plugins: " + server.plugins.map(\.name.rawValue).joined(separator: ", "))
            sections.append(parts.joined(separator: ", "))
        }
        if let server = checked.configuration.server6 {
            let subnets = server.subnets
            var parts = [
                count(subnets.count, "subnet"),
                count(subnets.reduce(0) { $0 + $1.pools.count + $1.temporaryPools.count }, "pool"),
                count(subnets.reduce(0) { $0 + $1.prefixPools.count }, "prefix pool"),
            ]
            let files = server.plugins.filter { $0.name == .static6 }.map(\.file)
            if !files.isEmpty { parts.append(reservations(files)) }
            parts.append("plugins: " + server.plugins.map(\.name.rawValue).joined(separator: ", "))
            sections.append("server6: " + parts.joined(separator: ", "))
        }
        return sections.joined(separator: "; ")
    }
}
