import DHCPServer
import DHCPWire
import Foundation
import Testing

/// `ConfigurationLoader.check`: what `lessor check-config` runs — the file plus its reservations files.
@Suite("check-config")
struct CheckConfigurationTests {
    static let configuration = """
        server4:
          listen: [{interface: eth0}]
          subnets:
            - {name: office, subnet: 192.0.2.0/24, interface: eth0, pools: [192.0.2.100-192.0.2.199], server_id: 192.0.2.1}
          plugins:
            - server_id
            - static: reservations/static.yaml
            - range
        """

    @Test func loadsTheReservationsTheChainNames() throws {
        let directory = try TemporaryDirectory()
        let file = directory.write("lessor.yaml", Self.configuration)
        let reservations = directory.write(
            "reservations/static.yaml", "- {mac: \"aa:bb:cc:dd:ee:ff\", address: 192.0.2.10, hostname: printer}\n")
        let checked = try ConfigurationLoader.check(file: file)
        #expect(checked.configuration == (try ConfigurationLoader.load(file: file)))
        #expect(checked.configuration.server4?.plugins[1].file == reservations)
        #expect(checked.reservations[reservations]?.map(\.hostname) == ["printer"])
    }

    @Test func reservationErrorsAreReportedWithTheConfigurationsOwn() throws {
        let directory = try TemporaryDirectory()
        let file = directory.write("lessor.yaml", Self.configuration + "\n  port: 0\n")
        directory.write(
            "reservations/static.yaml",
            """
            - {mac: "aa:bb:cc:dd:ee:ff", address: 192.0.2.10}
            - {mac: "aa:bb:cc:dd:ee:ff", address: 198.51.100.10}
            """)
        let error = try #require(throws: ConfigurationError.self) { try ConfigurationLoader.check(file: file) }
        let shown = directory.path + "/reservations/static.yaml"
        #expect(
            error.problems.map(\.description) == [
                "\(file):9:9: server4.port: expected an integer from 1 to 65535, got \"0\"",
                "\(shown):2:9: [1].mac: mac aa:bb:cc:dd:ee:ff is already reserved by [0] at line 1; keep one reservation per client",
            ])
    }

    @Test func subnetChecksApplyWhenTheConfigurationIsValid() throws {
        let directory = try TemporaryDirectory()
        let file = directory.write("lessor.yaml", Self.configuration)
        directory.write("reservations/static.yaml", "- {mac: \"aa:bb:cc:dd:ee:ff\", address: 198.51.100.10}\n")
        let error = try #require(throws: ConfigurationError.self) { try ConfigurationLoader.check(file: file) }
        #expect(
            error.problems.map(\.description) == [
                "\(directory.path)/reservations/static.yaml:1:39: [0].address: 198.51.100.10 is not inside any configured subnet (office 192.0.2.0/24); a client could never use it"
            ])
    }

    @Test func aMissingReservationsFileIsReportedAtThePluginEntry() throws {
        let directory = try TemporaryDirectory()
        let file = directory.write("lessor.yaml", Self.configuration)
        let error = try #require(throws: ConfigurationError.self) { try ConfigurationLoader.check(file: file) }
        let written = directory.path + "/reservations/static.yaml"
        #expect(
            error.problems.map(\.description) == [
                "\(file):7:15: server4.plugins[1].static: reservations file \(written): cannot read the file: it does not exist"
            ])
    }
}
