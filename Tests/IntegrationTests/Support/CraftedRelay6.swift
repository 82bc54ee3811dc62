import DHCPWire
import Foundation

/// A DHCPv6 relay agent whose messages the test crafts: a host on a routed veth to the server
/// namespace (`Lab.veth`) that sends datagrams from its address on the server port, as relays
/// do, with scripts/it/relay6.py run in its namespace, and hands back the server's replies.
/// Builds the client messages (DUID-LL from a documentation MAC, one IA_NA) and the
/// Relay-Forward layers around them.
struct CraftedRelay6 {
    let lab: Lab
    let host: LabHost
    /// This relay's address on the veth, where the server's Relay-Replies come back.
    let address: IPv6Address
    let server: IPv6Address

    /// A second relay agent, nearer the client, whose Relay-Forward this one wraps.
    static let innerRelayAddress = IPv6Address("2001:db8:ffff::1")!
    static let clientLinkLocal = IPv6Address("fe80::200:5eff:fe00:5301")!

    /// Sends each datagram and waits up to `timeout` for the datagram the server sends back
    /// (nil when none came).
    func exchange(_ datagrams: [[UInt8]], timeout: Double = 3) async throws -> [DHCPv6Message?] {
        let result = try await send(datagrams, ["--timeout", "\(timeout)"])
        guard let replies = result["replies"] as? [Any] else { throw LabError("relay6.py printed no replies: \(result)") }
        return try replies.map { reply in
            guard let hex = reply as? String else { return nil }
            return try DHCPv6Message(parsing: Self.bytes(hex: hex))
        }
    }

    /// One datagram, one reply.
    func exchange(_ message: DHCPv6Message) async throws -> DHCPv6Message? {
        try await exchange([message.serialize()])[0]
    }

    /// Sends the datagrams without waiting for anything; how many were sent.
    func spray(_ datagrams: [[UInt8]], seconds: Int = 60) async throws -> Int {
        let result = try await send(datagrams, ["--no-replies", "--seconds", "\(seconds)"])
        guard let sent = result["sent"] as? Int else { throw LabError("relay6.py printed no count: \(result)") }
        return sent
    }

    private func send(_ datagrams: [[UInt8]], _ options: [String]) async throws -> [String: Any] {
        let python = try Paths.python.orThrow("python3 is not installed: run scripts/install-deps.sh")
        let ip = try executablePath("ip").orThrow("no ip command")
        let file = lab.directory + "/relay6-\(UUID().uuidString).hex"
        try datagrams.map { $0.map { String(format: "%02x", $0) }.joined() + "\n" }.joined()
            .write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let run = try await ChildProcess.run(
            [ip, "netns", "exec", host.namespace, python, Paths.repository.appendingPathComponent("scripts/it/relay6.py").path,
             "--bind", "\(address)", "--server", "\(server)", "--packets", file] + options,
            timeout: .seconds(120))
        guard run.succeeded,
            let object = try? JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
        else { throw LabError("relay6.py failed: \(run)") }
        return object
    }

    // MARK: Crafting

    /// A client's message: Client Identifier (DUID-LL of 00:00:5e:00:53:`mac`), Elapsed Time,
    /// one IA_NA (IAID 1) holding `addresses`, and the server's identifier when given.
    static func message(
        _ type: DHCPv6MessageType, mac: UInt8, xid: UInt32, addresses: [IPv6Address] = [], serverID: DUID? = nil
    ) -> DHCPv6Message {
        var options: DHCPv6Options = [
            DHCPv6Option(DHCPv6ClientIdentifier(duid: .linkLayer(HardwareAddress(bytes: [0, 0, 0x5e, 0, 0x53, mac])!))),
            DHCPv6Option(DHCPv6ElapsedTime(hundredths: 0)),
            DHCPv6Option(DHCPv6IANA(
                iaid: 1, t1: 0, t2: 0,
                addresses: addresses.map { DHCPv6IAAddress(address: $0, preferredLifetime: 0, validLifetime: 0) })),
        ]
        if let serverID { options.append(DHCPv6ServerIdentifier(duid: serverID)) }
        return .clientServer(DHCPv6ClientServerMessage(messageType: type, transactionID: xid, options: options))
    }

    /// `message` as a relay on the client's link (`link`) would forward it: one Relay-Forward
    /// with an Interface-Id, hop count 0, from the client's link-local address.
    static func forwarded(_ message: DHCPv6Message, link: IPv6Address, interfaceID: String) -> DHCPv6Message {
        .relay(DHCPv6RelayMessage(
            kind: .forward, hopCount: 0, linkAddress: link, peerAddress: clientLinkLocal,
            options: [DHCPv6Option(DHCPv6InterfaceID(bytes: Array(interfaceID.utf8)))], message: message))
    }

    /// `message` relayed twice: by the inner relay on the client's link `link`, then by this one
    /// (link-address its own veth address, peer the inner relay), each with its Interface-Id.
    func twiceForwarded(_ message: DHCPv6Message, link: IPv6Address, inner: String, outer: String) -> DHCPv6Message {
        .relay(DHCPv6RelayMessage(
            kind: .forward, hopCount: 1, linkAddress: address, peerAddress: Self.innerRelayAddress,
            options: [DHCPv6Option(DHCPv6InterfaceID(bytes: Array(outer.utf8)))],
            message: Self.forwarded(message, link: link, interfaceID: inner)))
    }

    static func bytes(hex: String) throws -> [UInt8] {
        let characters = Array(hex.utf8)
        guard characters.count % 2 == 0 else { throw LabError("odd hex string from relay6.py") }
        return try stride(from: 0, to: characters.count, by: 2).map { index in
            try UInt8(String(decoding: characters[index..<index + 2], as: UTF8.self), radix: 16).orThrow("bad hex from relay6.py")
        }
    }
}

extension Optional {
    func orThrow(_ message: @autoclosure () -> String) throws -> Wrapped {
        guard let self else { throw LabError(message()) }
        return self
    }
}

/// A Relay-Reply read back: its layers (outermost first) and the client's message inside.
struct RelayedReply6 {
    let layers: [DHCPv6RelayLayer]
    let message: DHCPv6ClientServerMessage

    init?(_ reply: DHCPv6Message?) {
        guard let reply, reply.messageType == .relayReply else { return nil }
        (message, layers) = reply.unwrap()
    }

    /// The addresses of the first IA_NA and their valid lifetimes.
    var addresses: [(address: IPv6Address, valid: UInt32)] {
        ((try? message.iaNA.first?.addresses) ?? []).map { ($0.address, $0.validLifetime) }
    }

    /// The message's status code, else the first IA_NA's.
    var status: DHCPv6StatusCode.Code? {
        (try? message.statusCode)?.status ?? (try? message.iaNA.first?.statusCode)?.status
    }
}
