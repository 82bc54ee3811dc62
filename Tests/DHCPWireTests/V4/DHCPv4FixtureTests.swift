import DHCPWire
import Foundation
import Testing

/// Real packets captured from Debian 12's clients, perfdhcp and Kea (Fixtures/v4/*.bin, see Fixtures/MANIFEST.md),
/// with the hand-built packets of the same kinds checked alongside.
struct DHCPv4FixtureTests {
    /// Every captured v4 packet, by file name without ".bin"; empty when the folder is missing or empty.
    static let captured: [(name: String, bytes: [UInt8])] = {
        guard let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)?.appendingPathComponent("v4"),
            let files = try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
        else { return [] }
        return files.filter { $0.pathExtension == "bin" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
            .compactMap { url in
                (try? Data(contentsOf: url)).map { (url.deletingPathExtension().lastPathComponent, [UInt8]($0)) }
            }
    }()

    /// Captured packets and hand-built ones whose names start with `prefix` (and contain `containing`).
    static func packets(_ prefix: String, containing part: String = "") -> [(name: String, bytes: [UInt8])] {
        (captured + DHCPv4HandBuiltPackets.all).filter {
            $0.name.hasPrefix(prefix) && (part.isEmpty || $0.name.contains(part))
        }
    }

    @Test func v4FixtureFolderHasPackets() {
        #expect(!Self.captured.isEmpty, "Tests/DHCPWireTests/Fixtures/v4 holds no .bin packets")
    }

    @Test func everyPacketParsesRoundTripsAndHasAMessageType() throws {
        for (name, bytes) in Self.captured + DHCPv4HandBuiltPackets.all {
            let message = try DHCPv4Message(parsing: bytes)
            #expect(try message.messageType != nil, "\(name) has no message type")
            let again = try DHCPv4Message(parsing: message.serialize())
            #expect(again == message, "\(name) changed in a round trip")
            if !Self.hasWireQuirks(bytes) {
                #expect(message.serialize() == bytes, "\(name) did not serialise to the bytes parsed")
            }
        }
    }

    @Test func dhcpcdIdentifiesItselfWithIAIDAndDUID() throws {
        let packets = Self.packets("dhcpcd-")
        #expect(!packets.isEmpty)
        for (name, bytes) in packets {
            let identifier = try #require(try DHCPv4Message(parsing: bytes).clientIdentifier, "\(name)")
            #expect(identifier.type == 255, "\(name)")
            guard case .nodeSpecific(_, let duid) = identifier.kind else {
                Issue.record("\(name): client identifier \(identifier) is not IAID + DUID")
                continue
            }
            #expect([1, 2, 3, 4].contains(duid.type), "\(name): DUID type \(duid.type)")
        }
    }

    @Test func dhcpcdDiscoverAsksForRapidCommitAndStatesItsMaximumSize() throws {
        for (name, bytes) in Self.packets("dhcpcd-", containing: "discover") {
            let options = try DHCPv4Message(parsing: bytes).options
            #expect(try options.get(.rapidCommit) == true, "\(name)")
            #expect(try options.get(.maximumMessageSize) == 1472, "\(name)")
        }
    }

    @Test func dhcpcdRenewalsCountSeconds() throws {
        for (name, bytes) in Self.captured where name == "dhcpcd-renew" {
            #expect(try DHCPv4Message(parsing: bytes).secs > 0, "\(name)")
        }
    }

    @Test func udhcpcSendsItsVendorClassAndAHardwareClientIdentifier() throws {
        let packets = Self.packets("udhcpc-")
        #expect(!packets.isEmpty)
        for (name, bytes) in packets {
            let message = try DHCPv4Message(parsing: bytes)
            #expect(try message.clientIdentifier?.kind == .hardwareAddress(message.chaddr), "\(name)")
            guard try [.discover, .request].contains(message.messageType) else { continue }  // RELEASE has no 60
            let vendorClass = try #require(try message.options.get(.vendorClassIdentifier), "\(name)")
            #expect(vendorClass.hasPrefix("udhcp"), "\(name): \(vendorClass)")
        }
    }

    @Test func dhclientSendsNoClientIdentifier() throws {
        for (name, bytes) in Self.packets("dhclient-") {
            #expect(try DHCPv4Message(parsing: bytes).clientIdentifier == nil, "\(name)")
        }
    }

    @Test func perfdhcpRelayPacketsComeFromARelay() throws {
        let packets = Self.packets("perfdhcp-relay")
        #expect(!packets.isEmpty)
        for (name, bytes) in packets {
            let message = try DHCPv4Message(parsing: bytes)
            #expect(!message.giaddr.isUnspecified, "\(name) has no giaddr")
            #expect(message.op == .bootRequest, "\(name)")
        }
    }

    /// Client messages by kind: "dhclient-renew", "udhcpc-release"; Kea's replies ("kea-ack-renew") are not.
    static func clientPackets(_ kind: String) -> [(name: String, bytes: [UInt8])] {
        (captured + DHCPv4HandBuiltPackets.all).filter { $0.name.hasSuffix("-" + kind) && !$0.name.hasPrefix("kea-") }
    }

    @Test func renewalsCarryCiaddrAndNeitherRequestedAddressNorServerIdentifier() throws {
        let packets = Self.clientPackets("renew")
        #expect(!packets.isEmpty)
        for (name, bytes) in packets {
            let message = try DHCPv4Message(parsing: bytes)
            #expect(try message.messageType == .request, "\(name)")
            #expect(!message.ciaddr.isUnspecified, "\(name) has no ciaddr")
            #expect(!message.options.contains(50) && !message.options.contains(54), "\(name)")
        }
    }

    @Test func initRebootRequestsAskForTheirOldAddressWithoutServerIdentifier() throws {
        for (name, bytes) in Self.clientPackets("init-reboot") {
            let message = try DHCPv4Message(parsing: bytes)
            #expect(try message.messageType == .request, "\(name)")
            #expect(message.ciaddr.isUnspecified, "\(name)")
            #expect(try message.requestedAddress != nil && message.serverIdentifier == nil, "\(name)")
        }
    }

    @Test func releasesCarryTheReleasedAddressInCiaddr() throws {
        for (name, bytes) in Self.clientPackets("release") {
            let message = try DHCPv4Message(parsing: bytes)
            #expect(try message.messageType == .release, "\(name)")
            #expect(!message.ciaddr.isUnspecified, "\(name)")
        }
    }

    @Test func keaRepliesAreBootRepliesWithAServerIdentifier() throws {
        let packets = Self.packets("kea-")
        #expect(!packets.isEmpty)
        for (name, bytes) in packets {
            let message = try DHCPv4Message(parsing: bytes)
            #expect(message.op == .bootReply, "\(name)")
            #expect(try message.serverIdentifier != nil, "\(name)")
            if try message.messageType == .offer || message.messageType == .ack {
                #expect(!message.yiaddr.isUnspecified, "\(name)")
                #expect(try message.options.get(.leaseTime) != nil, "\(name)")
            }
        }
    }

    /// Whether serialising cannot give back these exact bytes: shorter than 300, pads or repeated codes among
    /// the options, overload, bytes after END, or chaddr bytes past hlen. A small independent walk of the options.
    static func hasWireQuirks(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 300, bytes.count > 240 else { return true }
        let hlen = Int(bytes[2])
        if hlen < 16, bytes[(28 + hlen)..<44].contains(where: { $0 != 0 }) { return true }
        var seen = Set<UInt8>()
        var index = 240
        while index < bytes.count {
            let code = bytes[index]
            if code == 255 { return bytes[(index + 1)...].contains { $0 != 0 } }
            guard code != 0, code != 52, index + 1 < bytes.count, seen.insert(code).inserted else { return true }
            index += 2 + Int(bytes[index + 1])
        }
        return true  // no END
    }
}
