import DHCPWire
import Testing

/// Seeded random mutations of valid packets: parsing must return or throw `WireError`, never crash or hang, and
/// whatever parses must survive a round trip and every typed accessor.
struct DHCPv4MutationTests {
    static let iterations = 100_000
    static let seed: UInt64 = 0x4C45_5353_4F52_7634  // "LESSORv4"

    /// Valid packets to start from: captured fixtures, the hand-built client packets, and packets that exercise
    /// overload, option 82, domain search, classless routes, the client FQDN, and a reply too big for 576 bytes.
    static func startingPackets() -> [[UInt8]] {
        let overloaded = dhcpv4Packet(
            options: [53, 1, 5, 52, 1, 3, 3, 4, 192, 0, 2, 1],
            sname: DHCPv4OverloadTests.area([3, 4, 192, 0, 2, 3, 12, 1, 0x78], length: 64),
            file: DHCPv4OverloadTests.area([3, 4, 192, 0, 2, 2, 51, 4, 0, 0, 0, 60], length: 128))
        let search = DHCPv4DomainSearchTests.rfcExample
        let routes = DHCPv4ClasslessRouteTests.encoded
        var options: [UInt8] = [53, 1, 3] + DHCPv4RelayAgentInformationTests.option82
        options += [119, UInt8(search.count)] + search
        options += [121, UInt8(routes.count)] + routes
        options += [81, 12, 0x05, 0, 0, 4, 0x68, 0x6f, 0x73, 0x74, 2, 0x69, 0x6f, 0]  // FQDN host.io.
        options += [61, 19, 0xff, 0, 1, 2, 3, 0, 1, 0, 1, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6]  // IAID + DUID-LLT
        options += [80, 0, 116, 1, 1, 118, 4, 10, 0, 0, 0, 57, 2, 5, 0xc0]
        let rich = dhcpv4Packet(options: options)
        let large = DHCPv4OverloadTests.bigReply().serialize()  // over 548 bytes: serialize(maxMessageSize:) overloads
        let captured = DHCPv4FixtureTests.captured.map(\.bytes)
        return captured + DHCPv4HandBuiltPackets.all.map(\.bytes) + [overloaded, rich, large]
    }

    @Test func randomMutationsNeverCrashAndWhatParsesRoundTrips() {
        var random = SplitMix64(seed: Self.seed)
        let packets = Self.startingPackets()
        var parsed = 0
        var failures = 0
        for iteration in 0..<Self.iterations where failures < 5 {
            var bytes = packets[Int(random.next() % UInt64(packets.count))]
            for _ in 0...(random.next() % 3) { Self.mutate(&bytes, &random) }
            guard let message = try? DHCPv4Message(parsing: bytes) else { continue }
            parsed += 1
            if let problem = Self.check(message) {
                failures += 1
                Issue.record("mutation \(iteration) (seed \(Self.seed)): \(problem)\n\(bytes.hexString())")
            }
        }
        // The mutations are meant to leave most packets parseable, so the checks after parsing run often.
        #expect(parsed > Self.iterations / 4)
    }

    /// What is wrong with a parsed message, or nil: round trips plain and within 576 bytes, typed values re-encode.
    static func check(_ message: DHCPv4Message) -> String? {
        do throws(WireError) {
            let again = try DHCPv4Message(parsing: message.serialize())
            guard again == message else { return "round trip changed the message" }
            if let fitted = try? message.serialize(maxMessageSize: 576) {
                guard fitted.count <= 548 else { return "serialize(maxMessageSize: 576) gave \(fitted.count) bytes" }
                guard try DHCPv4Message(parsing: fitted) == message else { return "overloaded round trip changed it" }
            }
        } catch {
            return "re-parsing serialised output failed: \(error)"
        }
        return exerciseAccessors(message)
    }

    /// Calls every typed accessor, ignoring their errors; a value that decodes must encode and decode to itself.
    static func exerciseAccessors(_ message: DHCPv4Message) -> String? {
        let options = message.options
        _ = (message.description, message.serverName, message.bootFileName, message.htype, message.isBroadcast)
        _ = (try? message.messageType, try? message.requestedAddress, try? message.serverIdentifier)
        _ = (try? options.get(.subnetMask), try? options.get(.broadcastAddress), try? options.get(.subnetSelection))
        _ = (try? options.get(.routers), try? options.get(.domainNameServers), try? options.get(.ntpServers))
        _ = (try? options.get(.hostName), try? options.get(.domainName), try? options.get(.vendorClassIdentifier))
        _ = (try? options.get(.tftpServerName), try? options.get(.bootfileName), try? options.get(.interfaceMTU))
        _ = (try? options.get(.maximumMessageSize), try? options.get(.leaseTime), try? options.get(.renewalTime))
        _ = (try? options.get(.rebindingTime), try? options.get(.parameterRequestList), try? options.get(.rapidCommit))
        _ = try? options.get(.autoConfigure)
        if let identifier = try? message.clientIdentifier {
            _ = (identifier.kind, identifier.description)
        }
        if let info = try? options.get(.relayAgentInformation) {
            _ = (try? info.get(.circuitID), try? info.get(.remoteID), try? info.get(.linkSelection))
            _ = (try? info.get(.subscriberID), try? info.get(.vendorSpecific), try? info.get(.relayAgentFlags))
            _ = (try? info.get(.serverIdentifierOverride), try? info.get(.virtualSubnetSelection))
            _ = (try? info.get(.virtualSubnetSelectionControl), info.description)
            if let problem = reencodes(info, .relayAgentInformation) { return problem }
        }
        if let problem = reencodes(try? options.get(.domainSearch), .domainSearch) { return problem }
        if let problem = reencodes(try? options.get(.classlessStaticRoutes), .classlessStaticRoutes) { return problem }
        if let problem = reencodes(try? options.get(.clientFQDN), .clientFQDN) { return problem }
        if let problem = reencodes(try? options.get(.hostName), .hostName) { return problem }
        return nil
    }

    static func reencodes<Value: Equatable>(_ value: Value??, _ key: DHCPv4OptionKey<Value>) -> String? {
        guard let value = value ?? nil else { return nil }
        var options = DHCPv4Options()
        options.set(key, value)
        guard (try? options.get(key)) == value else { return "\(key.label) did not re-encode to \(value)" }
        return nil
    }

    // MARK: Mutations

    static func mutate(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        guard !bytes.isEmpty else { return bytes = [UInt8(truncatingIfNeeded: random.next())] }
        let position = Int(random.next() % UInt64(bytes.count))
        let options = optionPositions(bytes)
        switch random.next() % 10 {
        case 0:  // flip one bit
            bytes[position] ^= 1 << (random.next() % 8)
        case 1:  // any byte value
            bytes[position] = UInt8(truncatingIfNeeded: random.next())
        case 2:  // a value with a meaning: pad, END, overload, pointer bits, lengths at the edges
            let special: [UInt8] = [0, 1, 3, 4, 52, 63, 64, 128, 0xC0, 254, 255]
            bytes[position] = special[Int(random.next() % UInt64(special.count))]
        case 3:  // truncate
            bytes.removeLast(bytes.count - position)
        case 4:  // insert a few random bytes
            let inserted = (0...(random.next() % 8)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            bytes.insert(contentsOf: inserted, at: position)
        case 5:  // delete a few bytes
            bytes.removeSubrange(position..<min(bytes.count, position + 1 + Int(random.next() % 8)))
        case 6, 7:  // nudge or replace an option's length byte
            guard let option = options.randomElement(using: &random), option + 1 < bytes.count else { return }
            let delta = UInt8(truncatingIfNeeded: Int(random.next() % 5) - 2)
            bytes[option + 1] =
                random.next() % 4 == 0 ? UInt8(truncatingIfNeeded: random.next()) : bytes[option + 1] &+ delta
        case 8:  // repeat an option right after itself (RFC 3396 concatenation)
            guard let option = options.randomElement(using: &random), option + 1 < bytes.count else { return }
            let end = min(bytes.count, option + 2 + Int(bytes[option + 1]))
            bytes.insert(contentsOf: bytes[option..<end], at: end)
        default:  // overload the file and/or sname fields
            guard bytes.count > 240 else { return }
            bytes.insert(contentsOf: [52, 1, UInt8(1 + random.next() % 3)], at: 240)
        }
    }

    /// Offsets of the options in the options field (not pads), as far as the walk gets.
    static func optionPositions(_ bytes: [UInt8]) -> [Int] {
        var positions: [Int] = []
        var index = 240
        while index + 1 < bytes.count, bytes[index] != 255 {
            if bytes[index] == 0 {
                index += 1
                continue
            }
            positions.append(index)
            index += 2 + Int(bytes[index + 1])
        }
        return positions
    }
}
