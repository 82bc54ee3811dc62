import DHCPWire
import Foundation
import Testing

/// Captured DHCPv6 packets (raw UDP payloads) in Fixtures/v6; see Fixtures/MANIFEST.md.
enum DHCPv6Fixtures {
    /// Every `.bin` file in Fixtures/v6, sorted by name; empty when the folder is missing or empty.
    static func load() throws -> [(name: String, bytes: [UInt8])] {
        guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else { return [] }
        let folder = root.appendingPathComponent("v6")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return try names.filter { $0.hasSuffix(".bin") }.sorted().map { name in
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            return (String(name.dropLast(4)), [UInt8](data))
        }
    }
}

@Suite("DHCPv6 captured fixtures")
struct DHCPv6FixtureTests {
    @Test func everyCapturedPacketParsesRoundTripsAndMatchesWhatItsClientSends() throws {
        let fixtures = try DHCPv6Fixtures.load()
        for (name, bytes) in fixtures {
            let message: DHCPv6Message
            do {
                message = try DHCPv6Message(parsing: bytes)
            } catch {
                Issue.record("\(name).bin does not parse: \(error)")
                continue
            }
            #expect(message.serialize() == bytes, "\(name).bin does not round-trip")
            try expectDHCPv6ClientFacts(name: name, message)
        }
        // Checked last so every present file is still exercised: an empty folder is a failure, not a skip.
        #expect(!fixtures.isEmpty, "no captured packets in Tests/DHCPWireTests/Fixtures/v6 (see MANIFEST.md)")
    }

}
