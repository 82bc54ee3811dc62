import DHCPServer
import DHCPWire
import Foundation
import Testing

@Suite("Reservations file")
struct ReservationsFileTests {
    static let subnets = [
        SubnetConfiguration(
            name: "office", subnet: net("192.0.2.0/24"), pools: [pool("192.0.2.100-192.0.2.199")],
            serverID: ip("192.0.2.1"), routers: [ip("192.0.2.254")]),
        SubnetConfiguration(name: "lab", subnet: net("198.51.100.0/24")),
    ]

    @Test func validFileParsesEveryForm() throws {
        let yaml = """
            # printers
            - mac: "aa:bb:cc:dd:ee:ff"
              address: 192.0.2.10
              hostname: printer
            - {mac: AA-BB-CC-DD-EE-01, address: 192.0.2.150}
            - {mac: aabbccddee02, address: 192.0.2.12, hostname: nas.example.com}
            - {client_id: "01aabbccddeeff", address: 198.51.100.20}
            - {client_id: "01:aa:bb:cc:dd:ee:03", address: 198.51.100.21}
            - {duid: "00030001aabbccddeeff", address: "2001:db8::10"}
            """
        let reservations = try ReservationsFile.parse(yaml: yaml, file: "static.yaml", subnets: Self.subnets)
        let mac = { (text: String) in Reservation.Match.hardwareAddress(HardwareAddress(text)!) }
        #expect(
            reservations == [
                Reservation(match: mac("aa:bb:cc:dd:ee:ff"), address: .v4(ip("192.0.2.10")), hostname: "printer"),
                Reservation(match: mac("aa:bb:cc:dd:ee:01"), address: .v4(ip("192.0.2.150"))),
                Reservation(
                    match: mac("aa:bb:cc:dd:ee:02"), address: .v4(ip("192.0.2.12")), hostname: "nas.example.com"),
                Reservation(
                    match: .clientID([0x01, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]), address: .v4(ip("198.51.100.20"))),
                Reservation(
                    match: .clientID([0x01, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x03]), address: .v4(ip("198.51.100.21"))),
                Reservation(
                    match: .duid(try DUID(bytes: [0, 3, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff])),
                    address: .v6(IPv6Address("2001:db8::10")!)),
            ])
        #expect(
            reservations.map(\.location) == [
                "static.yaml:2:3", "static.yaml:5:3", "static.yaml:6:3", "static.yaml:7:3", "static.yaml:8:3",
                "static.yaml:9:3",
            ])
        #expect(reservations[0].ipv4 == ip("192.0.2.10"))
        #expect(reservations[0].description == "mac aa:bb:cc:dd:ee:ff → 192.0.2.10 (printer)")
    }

    @Test func emptyFileHasNoReservations() throws {
        #expect(try ReservationsFile.parse(yaml: "", file: "static.yaml").isEmpty)
        #expect(try ReservationsFile.parse(yaml: "# nobody yet\n", file: "static.yaml").isEmpty)
        #expect(try ReservationsFile.parse(yaml: "[]", file: "static.yaml").isEmpty)
    }

    @Test func duplicatesNameBothLines() {
        let yaml = """
            - {mac: "aa:bb:cc:dd:ee:ff", address: 192.0.2.10}
            - {mac: "aa:bb:cc:dd:ee:01", address: 192.0.2.11}
            - {mac: "AA:BB:CC:DD:EE:FF", address: 192.0.2.12}
            - {client_id: "01aabbccddeeff", address: 192.0.2.11}
            - {client_id: "01:aa:bb:cc:dd:ee:ff", address: 192.0.2.13}
            """
        #expect(
            reservationProblems(yaml) == [
                #"static.yaml:3:9: [2].mac: mac aa:bb:cc:dd:ee:ff is already reserved by [0] at line 1; keep one reservation per client"#,
                #"static.yaml:4:42: [3].address: 192.0.2.11 is already reserved for [1] at line 2; keep one client per address"#,
                #"static.yaml:5:15: [4].client_id: client_id 01aabbccddeeff is already reserved by [3] at line 4; keep one reservation per client"#,
            ])
    }

    @Test func malformedEntries() {
        let yaml = """
            - {mac: "aa:bb:cc:dd:ee", address: 192.0.2.10}
            - {mac: "aa:bb:cc:dd:ee:0f", client_id: "01aa", address: 192.0.2.11}
            - {address: 192.0.2.12}
            - {client_id: "01", address: 192.0.2.13}
            - {duid: "0003", address: 192.0.2.14}
            - {mac: "aa:bb:cc:dd:ee:10", address: 192.0.2.300}
            - {mac: "aa:bb:cc:dd:ee:11", address: 192.0.2.15, hostname: "-printer"}
            - {mac: "aa:bb:cc:dd:ee:12", ip: 192.0.2.16}
            - {mac: "aa:bb:cc:dd:ee:13", address: 224.0.0.1}
            - just a string
            """
        #expect(
            reservationProblems(yaml) == [
                #"static.yaml:1:9: [0].mac: expected a MAC address like "aa:bb:cc:dd:ee:ff", got "aa:bb:cc:dd:ee""#,
                #"static.yaml:2:3: [1]: give one of mac, client_id or duid, found mac and client_id"#,
                #"static.yaml:3:3: [2]: missing key "mac", "client_id" or "duid": which client the address is for"#,
                #"static.yaml:4:15: [3].client_id: expected a client identifier in hex, 2 to 255 bytes, like "01aabbccddeeff", got "01""#,
                #"static.yaml:5:10: [4].duid: expected a DUID in hex, like "000300010a0b0c0d0e0f", got "0003" (type 3 needs at least 4 bytes, has 2)"#,
                #"static.yaml:6:39: [5].address: expected an IPv4 address like 192.0.2.10 (or an IPv6 address, or an IPv6 prefix like 2001:db8:100::/56), got "192.0.2.300""#,
                #"static.yaml:7:61: [6].hostname: expected a host name like printer or printer.example.com (letters, digits and inner -), got "-printer""#,
                #"static.yaml:8:3: [7]: missing key "address": the reserved address, like 192.0.2.10"#,
                #"static.yaml:8:30: [7]: unknown key "ip"; expected one of: mac, client_id, duid, address, hostname"#,
                #"static.yaml:9:39: [8].address: expected a unicast address, got 224.0.0.1"#,
                #"static.yaml:10:3: [9]: expected a reservation like {mac: "aa:bb:cc:dd:ee:ff", address: 192.0.2.10, hostname: printer}, got "just a string""#,
            ])
        #expect(
            reservationProblems("mac: aa:bb:cc:dd:ee:ff\n") == [
                #"static.yaml:1:1: expected a list of reservations, each like {mac: "aa:bb:cc:dd:ee:ff", address: 192.0.2.10}, got a mapping"#
            ])
    }

    @Test func addressesAreCheckedAgainstTheSubnets() {
        let yaml = """
            - {mac: "aa:bb:cc:dd:ee:01", address: 203.0.113.5}
            - {mac: "aa:bb:cc:dd:ee:02", address: 192.0.2.255}
            - {mac: "aa:bb:cc:dd:ee:03", address: 192.0.2.1}
            - {mac: "aa:bb:cc:dd:ee:04", address: 192.0.2.254}
            - {mac: "aa:bb:cc:dd:ee:05", address: 192.0.2.120}
            """
        #expect(
            reservationProblems(yaml, subnets: Self.subnets) == [
                #"static.yaml:1:39: [0].address: 203.0.113.5 is not inside any configured subnet (office 192.0.2.0/24, lab 198.51.100.0/24); a client could never use it"#,
                #"static.yaml:2:39: [1].address: 192.0.2.255 is the broadcast address of subnet office, not a host"#,
                #"static.yaml:3:39: [2].address: 192.0.2.1 is the server_id of subnet office; reserve another address"#,
                #"static.yaml:4:39: [3].address: 192.0.2.254 is a router of subnet office; reserve another address"#,
            ])
        // Without subnets (the file alone) only the file's own rules apply.
        #expect(reservationProblems(yaml).isEmpty)
    }

    @Test func loadReadsFilesAndReportsMissingOnes() throws {
        let directory = try TemporaryDirectory()
        let path = directory.write("static.yaml", "- {mac: \"aa:bb:cc:dd:ee:ff\", address: 192.0.2.10}\n")
        #expect(try ReservationsFile.load(path: path).count == 1)
        let error = try #require(throws: ConfigurationError.self) {
            try ReservationsFile.load(path: directory.path + "/missing.yaml")
        }
        #expect(error.description == "\(directory.path)/missing.yaml: cannot read the file: it does not exist")
        #expect(error.problems.first?.kind == .unreadable)
    }
}

/// A directory under the system's temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("lessor-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        try? FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        return file
    }
}
