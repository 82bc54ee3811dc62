import DHCPWire
import Testing

/// Offsets of every option-length field in a well-formed packet, found by walking the bytes directly
/// (relay messages, IA_NA/IA_TA/IA_PD, IAADDR and IAPREFIX nest options), so mutations can aim at them.
private func lengthFieldOffsets(_ bytes: [UInt8]) -> [Int] {
    var offsets: [Int] = []
    func u16(_ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }
    func message(_ start: Int, _ end: Int) {
        guard start < end else { return }
        options(start + (bytes[start] == 12 || bytes[start] == 13 ? 34 : 4), end)
    }
    func options(_ start: Int, _ end: Int) {
        var position = start
        while position + 4 <= end {
            let code = u16(position), length = u16(position + 2)
            let data = position + 4
            guard data + length <= end else { return }
            offsets.append(position + 2)
            switch code {
            case 9: message(data, data + length)
            case 3, 25: options(data + 12, data + length)
            case 4: options(data + 4, data + length)
            case 5: options(data + 24, data + length)
            case 26: options(data + 25, data + length)
            default: break
            }
            position = data + length
        }
    }
    message(0, bytes.count)
    return offsets
}

/// Decodes `option` as `Value` if it can; a value that decodes must encode and decode to itself.
private func typedRoundTrip<Value: DHCPv6OptionValue>(
    _ option: DHCPv6Option, as type: Value.Type, problems: inout [String]
) -> Value? {
    guard let value = try? option.decode(as: Value.self) else { return nil }
    if (try? DHCPv6Option(value).decode(as: Value.self)) != value {
        problems.append("\(option.code) does not survive encode/decode: \(option.data.hexString())")
    }
    return value
}

/// Decodes every option it knows, at every nesting level, and checks each typed value round-trips.
private func exerciseOptions(_ options: DHCPv6Options, problems: inout [String]) {
    for option in options {
        var nested: [DHCPv6Options] = []
        switch option.code {
        case .clientID: _ = typedRoundTrip(option, as: DHCPv6ClientIdentifier.self, problems: &problems)
        case .serverID: _ = typedRoundTrip(option, as: DHCPv6ServerIdentifier.self, problems: &problems)
        case .iaNA:
            nested += [typedRoundTrip(option, as: DHCPv6IANA.self, problems: &problems)?.options].compactMap { $0 }
        case .iaTA:
            nested += [typedRoundTrip(option, as: DHCPv6IATA.self, problems: &problems)?.options].compactMap { $0 }
        case .iaPD:
            nested += [typedRoundTrip(option, as: DHCPv6IAPD.self, problems: &problems)?.options].compactMap { $0 }
        case .iaAddress:
            nested += [typedRoundTrip(option, as: DHCPv6IAAddress.self, problems: &problems)?.options].compactMap { $0 }
        case .iaPrefix:
            nested += [typedRoundTrip(option, as: DHCPv6IAPrefix.self, problems: &problems)?.options].compactMap { $0 }
        case .optionRequest: _ = typedRoundTrip(option, as: DHCPv6OptionRequest.self, problems: &problems)
        case .echoRequest: _ = typedRoundTrip(option, as: DHCPv6EchoRequest.self, problems: &problems)
        case .preference: _ = typedRoundTrip(option, as: DHCPv6Preference.self, problems: &problems)
        case .elapsedTime: _ = typedRoundTrip(option, as: DHCPv6ElapsedTime.self, problems: &problems)
        case .relayMessage: _ = typedRoundTrip(option, as: DHCPv6RelayedMessage.self, problems: &problems)
        case .serverUnicast: _ = typedRoundTrip(option, as: DHCPv6ServerUnicast.self, problems: &problems)
        case .statusCode: _ = typedRoundTrip(option, as: DHCPv6StatusCode.self, problems: &problems)
        case .rapidCommit: _ = typedRoundTrip(option, as: DHCPv6RapidCommit.self, problems: &problems)
        case .userClass: _ = typedRoundTrip(option, as: DHCPv6UserClass.self, problems: &problems)
        case .vendorClass: _ = typedRoundTrip(option, as: DHCPv6VendorClass.self, problems: &problems)
        case .vendorOptions: _ = typedRoundTrip(option, as: DHCPv6VendorOptions.self, problems: &problems)
        case .interfaceID: _ = typedRoundTrip(option, as: DHCPv6InterfaceID.self, problems: &problems)
        case .reconfigureMessage: _ = typedRoundTrip(option, as: DHCPv6ReconfigureMessage.self, problems: &problems)
        case .reconfigureAccept: _ = typedRoundTrip(option, as: DHCPv6ReconfigureAccept.self, problems: &problems)
        case .dnsServers: _ = typedRoundTrip(option, as: DHCPv6DNSServers.self, problems: &problems)
        case .domainSearchList: _ = typedRoundTrip(option, as: DHCPv6DomainSearchList.self, problems: &problems)
        case .informationRefreshTime:
            _ = typedRoundTrip(option, as: DHCPv6InformationRefreshTime.self, problems: &problems)
        case .clientFQDN: _ = typedRoundTrip(option, as: DHCPv6ClientFQDN.self, problems: &problems)
        case .clientLinkLayerAddress:
            _ = typedRoundTrip(option, as: DHCPv6ClientLinkLayerAddress.self, problems: &problems)
        case .solMaxRT: _ = typedRoundTrip(option, as: DHCPv6SolMaxRT.self, problems: &problems)
        case .infMaxRT: _ = typedRoundTrip(option, as: DHCPv6InfMaxRT.self, problems: &problems)
        default: break
        }
        for options in nested { exerciseOptions(options, problems: &problems) }
    }
}

/// Calls every typed accessor of a parsed packet (errors ignored) and every typed option decoder.
private func exercise(_ packet: DHCPv6Message, problems: inout [String]) {
    let (message, relays) = packet.unwrap()
    _ = (try? message.clientID, try? message.serverID, try? message.oro, try? message.preference)
    _ = (try? message.elapsedTime, try? message.serverUnicast, message.rapidCommit, try? message.userClass)
    _ = (try? message.vendorClasses, try? message.vendorOptions, try? message.reconfigureMessage)
    _ = (message.reconfigureAccept, try? message.dnsServers, try? message.domainSearchList)
    _ = (try? message.informationRefreshTime, try? message.clientFQDN, try? message.solMaxRT, try? message.infMaxRT)
    _ = try? message.statusCode
    for ia in (try? message.iaNA) ?? [] {
        _ = try? ia.statusCode
        for address in (try? ia.addresses) ?? [] { _ = try? address.statusCode }
    }
    for ia in (try? message.iaTA) ?? [] { _ = (try? ia.addresses, try? ia.statusCode) }
    for ia in (try? message.iaPD) ?? [] {
        _ = try? ia.statusCode
        for prefix in (try? ia.prefixes) ?? [] { _ = try? prefix.statusCode }
    }
    for relay in relays {
        _ = (relay.interfaceID, try? relay.clientLinkLayerAddress)
        exerciseOptions(relay.options, problems: &problems)
    }
    exerciseOptions(message.options, problems: &problems)
    _ = (packet.description, try? DHCPv6Message.relayReply(message, through: relays))
}

/// A REPLY that carries one of nearly every typed option, so mutations reach each decoder.
private func optionRichReply() throws -> [UInt8] {
    var reply = DHCPv6ClientServerMessage(messageType: .reply, transactionID: 0x00beef)
    reply.options.append(DHCPv6ServerIdentifier(duid: try DUID(bytes: [0, 2, 0, 0, 0, 9, 0xaa, 0xbb])))
    reply.options.append(DHCPv6ClientIdentifier(duid: try DUID(bytes: [0, 4] + Array(repeating: 7, count: 16))))
    reply.options.append(
        DHCPv6IATA(
            iaid: 3,
            addresses: [
                DHCPv6IAAddress(address: dhcpv6Address("fd00::3"), preferredLifetime: 1, validLifetime: 2)
            ]))
    reply.options.append(DHCPv6StatusCode(.useMulticast, message: "use ff02::1:2"))
    reply.options.append(DHCPv6ServerUnicast(address: dhcpv6Address("2001:db8::547")))
    reply.options.append(DHCPv6UserClass(classes: [[1, 2], [3]]))
    reply.options.append(DHCPv6VendorClass(enterpriseNumber: 311, classes: [Array("MSFT 5.0".utf8)]))
    reply.options.append(DHCPv6VendorOptions(enterpriseNumber: 4491, data: [0, 32, 0, 1, 9]))
    reply.options.append(DHCPv6ReconfigureMessage(messageType: .renew))
    reply.options.append(DHCPv6ReconfigureAccept())
    reply.options.append(DHCPv6DomainSearchList(domains: ["example.com", "a.b"].compactMap { DomainName($0) }))
    reply.options.append(
        DHCPv6ClientFQDN(flags: [.serverUpdates, .overridden], name: DomainName("h.example.com") ?? .root))
    reply.options.append(DHCPv6InformationRefreshTime(seconds: 86400))
    reply.options.append(DHCPv6InfMaxRT(seconds: 3600))
    reply.options.append(DHCPv6EchoRequest(codes: [.remoteID]))
    return reply.serialize()
}

@Suite("DHCPv6 seeded mutation")
struct DHCPv6MutationTests {
    static let iterations = 100_000

    @Test func mutatedPacketsParseOrThrowAndWhatParsesRoundTrips() throws {
        var seeds = DHCPv6TestPackets.all.map(\.bytes) + (try DHCPv6Fixtures.load().map(\.bytes))
        seeds += [
            DHCPv6IATests.replyWithTwoAddresses, DHCPv6RelayTests.twoLevelRelay, DHCPv6RelayTests.nested(layers: 9),
        ]
        let rich = try optionRichReply()
        seeds += [rich, dhcpv6RelayBytes(hopCount: 0, link: .unspecified, peer: DHCPv6RelayTests.client, inner: rich)]
        let targets = seeds.map(lengthFieldOffsets)
        let interesting: [UInt8] = [0, 1, 2, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xff, 9, 12, 13]

        var random = SplitMix64(seed: 0x4C65_7373_6F72_7636)  // "Lessorv6"
        var problems: [String] = []
        var parsed = 0
        for iteration in 0..<Self.iterations {
            let pick = Int(random.next(upperBound: UInt64(seeds.count)))
            var bytes = seeds[pick]
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let index = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<8, using: &random) {
                case 0 where !bytes.isEmpty:
                    bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                case 1 where !bytes.isEmpty:
                    bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 2 where !bytes.isEmpty:
                    bytes[index] = interesting.randomElement(using: &random) ?? 0
                case 3:
                    bytes.removeLast(Int.random(in: 0...min(bytes.count, 12), using: &random))
                case 4:
                    let count = Int.random(in: 1...8, using: &random)
                    bytes.insert(
                        contentsOf: (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }, at: index)
                case 5 where !bytes.isEmpty:
                    bytes.removeSubrange(index..<min(bytes.count, index + Int.random(in: 1...8, using: &random)))
                case 6:
                    // Option-length tweak: nudge or replace a real length field.
                    guard let field = targets[pick].randomElement(using: &random), field + 1 < bytes.count else {
                        break
                    }
                    let old = Int(bytes[field]) << 8 | Int(bytes[field + 1])
                    let new =
                        Bool.random(using: &random)
                        ? max(0, min(0xffff, old + Int.random(in: -4...4, using: &random)))
                        : [0, 1, 0xffff, Int.random(in: 0...0xffff, using: &random)].randomElement(using: &random) ?? 0
                    bytes[field] = UInt8(new >> 8)
                    bytes[field + 1] = UInt8(new & 0xff)
                default:
                    // Splice: copy a chunk of the packet somewhere else in it.
                    guard !bytes.isEmpty else { break }
                    let chunk = Array(bytes[index..<min(bytes.count, index + Int.random(in: 1...24, using: &random))])
                    bytes.insert(contentsOf: chunk, at: Int.random(in: 0...bytes.count, using: &random))
                }
            }

            guard let message = try? DHCPv6Message(parsing: bytes) else { continue }
            parsed += 1
            if message.serialize() != bytes {
                problems.append("iteration \(iteration): serialise differs for \(bytes.hexString())")
            } else if (try? DHCPv6Message(parsing: message.serialize())) != message {
                problems.append("iteration \(iteration): re-parse differs for \(bytes.hexString())")
            }
            exercise(message, problems: &problems)
            if problems.count > 10 { break }
        }
        #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
        // Enough mutants must survive parsing for the round-trip half of the test to mean something.
        #expect(parsed > Self.iterations / 10, "only \(parsed) of \(Self.iterations) mutants parsed")
    }
}
