import DHCPWire
import Foundation
import LeaseStore
import Testing

@Suite("Client identity and lease values")
struct ModelTests {
    static let clients: [ClientID] = [
        .hardware(HardwareAddress("aa:bb:cc:dd:ee:ff")!),
        .hardware(HardwareAddress(type: 6, bytes: [1, 2, 3])!),
        .clientIdentifier([0x01, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]),
        .clientIdentifier([0xff, 0, 0, 0, 1, 0, 1, 0, 1, 0x2c, 0x3a, 0x11, 0x22, 2, 0, 0, 0, 0, 1]),
        .duid(DUID.linkLayer(HardwareAddress("02:00:00:00:00:01")!)),
    ]

    @Test func textFormsAreStable() {
        #expect(ClientID.hardware(HardwareAddress("aa:bb:cc:dd:ee:ff")!).description == "hw:1:aa:bb:cc:dd:ee:ff")
        #expect(ClientID.clientIdentifier([1, 0xaa, 0xbb]).description == "id:01aabb")
        #expect(ClientID.duid(DUID.linkLayer(HardwareAddress("02:00:00:00:00:01")!)).description == "duid:00030001020000000001")
    }

    @Test(arguments: clients)
    func textAndStorageKeyRoundTrip(_ client: ClientID) throws {
        #expect(ClientID(text: client.description) == client)
        #expect(ClientID(storageKey: client.storageKey) == client)
        let json = try JSONEncoder().encode(client)
        #expect(try JSONDecoder().decode(ClientID.self, from: json) == client)
    }

    @Test(arguments: ["", "hw:", "hw:1:zz", "id:", "id:0", "duid:00", "mac:aa:bb", "hw:x:aa:bb"])
    func malformedTextIsRejected(_ text: String) {
        #expect(ClientID(text: text) == nil)
    }

    @Test func resourcesParseAndOrder() {
        #expect(LeaseResource(text: "192.0.2.10") == .ipv4(IPv4Address(192, 0, 2, 10)))
        #expect(LeaseResource(text: "2001:db8::5") == .ipv6(IPv6Address("2001:db8::5")!))
        #expect(LeaseResource(text: "2001:db8:100::/56") == .prefix(IPv6Prefix("2001:db8:100::/56")!))
        #expect(LeaseResource(text: "2001:db8::/129") == nil)
        #expect(LeaseResource(text: "192.0.2.300") == nil)
        #expect(LeaseResource.ipv4(IPv4Address(192, 0, 2, 1)) < .ipv4(IPv4Address(192, 0, 2, 2)))
    }

    @Test func leaseSurvivesJSON() throws {
        var lease = Lease(
            kind: .iaPD, iaid: 9, elements: [LeaseElement(.prefix(IPv6Prefix("2001:db8:100::/56")!), preferredUntil: Date(timeIntervalSince1970: 5), validUntil: Date(timeIntervalSince1970: 10))],
            expiresAt: Date(timeIntervalSince1970: 10.25), owner: "prefix", attachments: ["prefix": Data([9])], hostname: "cpe", pool: "pd")
        lease.version = 42
        let decoded = try JSONDecoder().decode(Lease.self, from: JSONEncoder().encode(lease))
        #expect(decoded == lease)
    }

    @Test func errorsCompareByKindAndSayWhatHappened() {
        let a = LeaseStoreError.conflict("one")
        let b = LeaseStoreError.conflict("two")
        #expect(a == b)
        #expect(a != LeaseStoreError.transport("one"))
        #expect(LeaseStoreError.transport("x").isRetryable)
        #expect(!LeaseStoreError.conflict("x").isRetryable)
        #expect(LeaseStoreError.addressInUse(.ipv4(IPv4Address(192, 0, 2, 1))).description == "address in use: 192.0.2.1 is held by another client")
        #expect(LeaseStoreError.unavailable("bad").detailedDescription.contains("ModelTests.swift"))
    }
}

@Suite("Binary lease codec")
struct LeaseBinaryCodecTests {
    static let samples: [Lease] = {
        var v4 = Lease.v4(IPv4Address(192, 0, 2, 7), state: .declined, expiresAt: Date(timeIntervalSince1970: 1_800_000_123.5), owner: "range", hostname: "laptop", pool: "lan")
        v4.version = 77
        v4.updatedAt = Date(timeIntervalSince1970: 1_800_000_000.25)
        let v6 = Lease(
            kind: .iaNA, iaid: 0xDEAD_BEEF,
            elements: [
                LeaseElement(.ipv6(IPv6Address("2001:db8::1")!), preferredUntil: Date(timeIntervalSince1970: 10), validUntil: Date(timeIntervalSince1970: 20)),
                LeaseElement(.ipv6(IPv6Address("2001:db8::2")!)),
            ], expiresAt: Date(timeIntervalSince1970: 20), owner: "range6", attachments: ["range6": Data([1, 2]), "static": Data()])
        let pd = Lease(kind: .iaPD, iaid: 1, elements: [LeaseElement(.prefix(IPv6Prefix("2001:db8:100::/56")!))], expiresAt: Date(), owner: "prefix", hostname: "ünïcødé")
        return [v4, v6, pd]
    }()

    @Test(arguments: samples)
    func roundTrips(_ lease: Lease) throws {
        #expect(try LeaseBinaryCodec.decode(LeaseBinaryCodec.encode(lease)) == lease)
    }

    @Test func everyTruncationIsAnErrorNotACrash() {
        for lease in Self.samples {
            let bytes = LeaseBinaryCodec.encode(lease)
            for length in 0..<bytes.count {
                #expect(throws: WireError.self) { try LeaseBinaryCodec.decode(bytes.prefix(length)) }
            }
        }
    }

    @Test func unknownFormatIsRejected() {
        var bytes = LeaseBinaryCodec.encode(Self.samples[0])
        bytes[0] = 9
        let error = #expect(throws: WireError.self) { try LeaseBinaryCodec.decode(bytes) }
        #expect(error?.field == "format")
    }
}

@Suite("Lease JSON")
struct LeaseJSONTests {
    @Test func kindAndStateTravelAsNames() throws {
        let lease = Lease.v4(IPv4Address(192, 0, 2, 1), state: .declined, expiresAt: Date(timeIntervalSince1970: 0), owner: "range")
        let json = String(decoding: try JSONEncoder().encode(lease), as: UTF8.self)
        #expect(json.contains("\"kind\":\"v4\""))
        #expect(json.contains("\"state\":\"declined\""))
        #expect(try JSONDecoder().decode(Lease.self, from: Data(json.utf8)) == lease)
    }
}
