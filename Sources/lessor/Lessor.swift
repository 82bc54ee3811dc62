import ArgumentParser

@main
struct Lessor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lessor",
        abstract: "A DHCP server built around a transactional lease store.",
        subcommands: [
            ServeCommand.self, DemoCommand.self, TopCommand.self, CtlCommand.self, LeasesCommand.self, CheckConfigCommand.self,
            BenchCommand.self, DebugCommand.self,
        ]
    )
}
