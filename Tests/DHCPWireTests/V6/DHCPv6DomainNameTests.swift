import DHCPWire
import Testing

@Suite("DHCPv6 domain names, search list and client FQDN")
struct DomainNameTests {
    @Test func fullyQualifiedFQDNRoundTrips() throws {
        let name = try #require(DomainName("host.example.com"))
        let fqdn = DHCPv6ClientFQDN(flags: [.serverUpdates], name: name)
        let payload: [UInt8] =
            [0x01, 4] + Array("host".utf8) + [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0]
        let option = DHCPv6Option(fqdn)
        #expect(option.data == payload)
        let decoded = try option.decode(as: DHCPv6ClientFQDN.self)
        #expect(decoded == fqdn && decoded.isFullyQualified)
        #expect(decoded.name.description == "host.example.com")
        #expect(decoded.flags == .serverUpdates)
    }

    @Test func partialAndEmptyFQDNNamesAreKept() throws {
        let partial = try DHCPv6Option(code: .clientFQDN, data: [0x05, 6] + Array("myhost".utf8)).decode(
            as: DHCPv6ClientFQDN.self)
        #expect(!partial.isFullyQualified)
        #expect(partial.name.labels == [Array("myhost".utf8)])
        #expect(partial.flags == [.serverUpdates, .noUpdates])
        #expect(DHCPv6Option(partial).data == [0x05, 6] + Array("myhost".utf8))

        let empty = try DHCPv6Option(code: .clientFQDN, data: [0x00]).decode(as: DHCPv6ClientFQDN.self)
        #expect(empty.name == .root && !empty.isFullyQualified)
        #expect(DHCPv6Option(empty).data == [0x00])

        let root = try DHCPv6Option(code: .clientFQDN, data: [0x02, 0]).decode(as: DHCPv6ClientFQDN.self)
        #expect(root.name == .root && root.isFullyQualified && root.flags == .overridden)
    }

    @Test func fqdnKeepsUnassignedFlagBits() throws {
        let fqdn = try DHCPv6Option(code: .clientFQDN, data: [0xf9, 0]).decode(as: DHCPv6ClientFQDN.self)
        #expect(fqdn.flags.contains(.serverUpdates) && !fqdn.flags.contains(.overridden))
        #expect(DHCPv6Option(fqdn).data == [0xf9, 0])
    }

    @Test func domainSearchListRoundTrips() throws {
        let domains = ["example.com", "lab.example.org."].compactMap { DomainName($0) }
        let list = DHCPv6DomainSearchList(domains: domains)
        let payload: [UInt8] =
            [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0]
            + [3] + Array("lab".utf8) + [7] + Array("example".utf8) + [3] + Array("org".utf8) + [0]
        #expect(DHCPv6Option(list).data == payload)
        #expect(
            try DHCPv6Option(code: .domainSearchList, data: payload).decode(as: DHCPv6DomainSearchList.self) == list)
        var message = DHCPv6ClientServerMessage(messageType: .reply, transactionID: 1)
        message.options.append(list)
        #expect(try message.domainSearchList?.map(\.description) == ["example.com", "lab.example.org"])
    }

    @Test func malformedNamesAreRejectedWithTheirOffset() {
        let field = "option 24 (DOMAIN_LIST) domain name"
        func expectRejected(_ payload: [UInt8], _ error: WireError, at location: SourceLocation = #_sourceLocation) {
            let option = DHCPv6Option(code: .domainSearchList, data: payload)
            #expect(throws: error, sourceLocation: location) { try option.decode(as: DHCPv6DomainSearchList.self) }
        }
        // A compression pointer (RFC 1035 §4.1.4) where the second name's first label should be.
        let pointer = [3] + Array("com".utf8) + [0, 0xc0, 0x00]
        expectRejected(pointer, .invalid(field, at: 5, "compression pointer not allowed here"))
        let tooLongLabel: [UInt8] = [64] + Array(repeating: 0x61, count: 64) + [0]
        expectRejected(tooLongLabel, .invalid(field, at: 0, "label length 64 is over 63"))
        expectRejected([5, 0x61, 0x62, 0x63], .truncated(field, at: 1, needed: 5, available: 3))
        expectRejected([3] + Array("com".utf8), .invalid(field, at: 0, "ends without the root label"))
        // Five 63-byte labels take 320 bytes: over the 255-byte limit once the fourth label is read.
        let label: [UInt8] = [63] + Array(repeating: 0x61, count: 63)
        let tooLongName: [UInt8] = Array(repeating: label, count: 5).flatMap { $0 } + [0]
        expectRejected(tooLongName, .invalid(field, at: 0, "longer than 255 bytes"))

        #expect(throws: WireError.invalid("option 39 (CLIENT_FQDN)", at: 4, "1 unexpected byte at the end")) {
            try DHCPv6Option(code: .clientFQDN, data: [0, 1, 0x61, 0, 0x62]).decode(as: DHCPv6ClientFQDN.self)
        }
    }

    @Test func textFormEscapesAndLimits() throws {
        let odd = try #require(DomainName(labels: [Array("a.b".utf8), [0x5c, 0x20, 0xff]]))
        #expect(odd.description == "a\\.b.\\\\\\032\\255")
        #expect(DomainName(odd.description) == odd)
        #expect(DomainName(".") == .root && DomainName.root.description == ".")
        #expect(DomainName("") == nil)
        #expect(DomainName("a..b") == nil)
        #expect(DomainName(".a") == nil)
        #expect(DomainName("a\\") == nil)
        #expect(DomainName("a\\256") == nil)
        #expect(DomainName(String(repeating: "a", count: 64)) == nil)
        #expect(DomainName(labels: [[]]) == nil)
        let longest =
            Array(repeating: String(repeating: "a", count: 63), count: 3).joined(separator: ".") + "."
            + String(repeating: "b", count: 61)
        #expect(DomainName(longest)?.wireLength == 255)
        #expect(DomainName(longest + "b") == nil)
    }
}
