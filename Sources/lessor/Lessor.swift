import ArgumentParser

@main
struct Lessor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lessor",
        abstract: "A DHCP server built around a transactional lease store.",
        subcommands: [BenchCommand.self, DebugCommand.self]
    )
}
