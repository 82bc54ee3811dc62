import DHCPWire
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import DHCPServer

#if canImport(Glibc)
import Glibc
#endif

@Suite("UDPv6Transport", .timeLimit(.minutes(2)))
struct UDPv6TransportTests {
    static let logger = Logger(label: "test.udp6")

    static func message(_ type: DHCPv6MessageType, _ transactionID: UInt32) -> [UInt8] {
        DHCPv6ClientServerMessage(messageType: type, transactionID: transactionID).serialize()
    }

    /// A REPLY with the request's transaction ID, to where the request came from (or to `destination`).
    static func echo(
        _ bytes: [UInt8], _ origin: PacketOrigin6, destination: ReplyDestination6? = nil
    ) -> DHCPv6Reply? {
        guard let request = try? DHCPv6ClientServerMessage(parsing: bytes) else { return nil }
        let reply = DHCPv6ClientServerMessage(messageType: .reply, transactionID: request.transactionID)
        return DHCPv6Reply(
            bytes: reply.serialize(), message: .clientServer(reply),
            destination: destination ?? .client(origin.sourceAddress, port: origin.sourcePort, interfaceIndex: origin.interfaceIndex))
    }

    /// Polls `condition` every 10 ms for at most `seconds`.
    static func eventually(_ seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func loopbackRequestGetsTheHandlersReply() async throws {
        let seen = Mutex<[PacketOrigin6]>([])
        let counters = ServerCounters()
        let handler: DHCPv6Handler = { bytes, origin in
            seen.withLock { $0.append(origin) }
            return Self.echo(bytes, origin)
        }
        let transport = UDPv6Transport(
            listen: .address(IPv6Address("::1")!), port: 0, slot: ServiceSlot(handler), counters: counters, logger: Self.logger)
        try await transport.start(on: MultiThreadedEventLoopGroup.singleton)
        defer { Task { await transport.stop() } }
        let port = try #require(transport.localAddress?.port)
        #expect(port != 0)

        let client = try PlainUDP6Socket(address: "::1")
        defer { client.close() }
        try client.send(Self.message(.solicit, 0x12_3456), to: "::1", port: UInt16(port))
        let reply = try #require(client.receive(), "no reply from the transport within 5 s")
        let parsed = try DHCPv6ClientServerMessage(parsing: reply.bytes)
        #expect(parsed.messageType == .reply)
        #expect(parsed.transactionID == 0x12_3456)
        #expect(reply.source == IPv6Address("::1"))
        #expect(reply.port == UInt16(port))

        let origin = try #require(seen.withLock { $0.first })
        #expect(origin.sourceAddress == IPv6Address("::1"))
        #expect(origin.sourcePort == client.port)
        #expect(origin.destination == IPv6Address("::1"))
        #expect(origin.interface == "lo")
        #expect(origin.interfaceIndex == Int(if_nametoindex("lo")))
        #expect(await Self.eventually { counters[.sent] == 1 }, "sent: \(counters.snapshot())")
        #expect(counters[.dropped] == 0)
    }

    @Test func noReplyWhenTheHandlerHasNone() async throws {
        let calls = Mutex(0)
        let transport = UDPv6Transport(
            listen: .address(IPv6Address("::1")!), port: 0,
            slot: ServiceSlot({ _, _ in calls.withLock { $0 += 1 }; return nil } as DHCPv6Handler), counters: ServerCounters(),
            logger: Self.logger)
        try await transport.start(on: MultiThreadedEventLoopGroup.singleton)
        defer { Task { await transport.stop() } }
        let client = try PlainUDP6Socket(address: "::1", timeout: 1)
        defer { client.close() }
        try client.send(Self.message(.request, 7), to: "::1", port: UInt16(transport.localAddress?.port ?? 0))
        #expect(await Self.eventually { calls.withLock { $0 } == 1 })
        #expect(client.receive() == nil)
    }

    /// maxInFlight 2: one SOLICIT in flight fills the SOLICITs' half, so the next is shed; a
    /// REQUEST still gets the second slot; past that everything is dropped. Once the handler
    /// finishes, the admitted two are answered.
    @Test func solicitsAreShedFirstAndThenEverything() async throws {
        let gate = Gate()
        let entered = Mutex<[UInt32]>([])
        let counters = ServerCounters()
        let handler: DHCPv6Handler = { bytes, origin in
            if let message = try? DHCPv6ClientServerMessage(parsing: bytes) { entered.withLock { $0.append(message.transactionID) } }
            await gate.wait()
            return Self.echo(bytes, origin)
        }
        let transport = UDPv6Transport(
            listen: .address(IPv6Address("::1")!), port: 0, slot: ServiceSlot(handler), counters: counters, logger: Self.logger,
            maxInFlight: 2)
        try await transport.start(on: MultiThreadedEventLoopGroup.singleton)
        defer { Task { await transport.stop() } }
        let port = UInt16(transport.localAddress?.port ?? 0)
        let client = try PlainUDP6Socket(address: "::1")
        defer { client.close() }

        try client.send(Self.message(.solicit, 1), to: "::1", port: port)
        #expect(await Self.eventually { entered.withLock { $0 } == [1] })
        try client.send(Self.message(.solicit, 2), to: "::1", port: port)
        #expect(await Self.eventually { counters[.dropped] == 1 }, "the second SOLICIT was not shed: \(counters.snapshot())")
        try client.send(Self.message(.request, 3), to: "::1", port: port)
        #expect(await Self.eventually { entered.withLock { $0 } == [1, 3] })
        try client.send(Self.message(.renew, 4), to: "::1", port: port)
        #expect(await Self.eventually { counters[.dropped] == 2 }, "a third request in flight was not dropped: \(counters.snapshot())")

        gate.open()
        var answered: Set<UInt32> = []
        for _ in 0..<2 {
            let reply = try #require(client.receive(), "answered so far: \(answered)")
            answered.insert(try DHCPv6ClientServerMessage(parsing: reply.bytes).transactionID)
        }
        #expect(answered == [1, 3])
        #expect(entered.withLock { $0 } == [1, 3])
    }

    @Test func solicitsAreRecognisedInsideRelayForwards() throws {
        let solicit = Self.message(.solicit, 9)
        func relayForward(_ inner: [UInt8]) -> [UInt8] {
            [12, 0] + [UInt8](repeating: 0, count: 32)
                + [0, 18, 0, 2, 0xAB, 0xCD]  // interface-id first, so the Relay Message is not the first option
                + [0, 9, UInt8(inner.count >> 8), UInt8(inner.count & 0xFF)] + inner
        }
        #expect(UDPv6Transport.isSolicit(solicit))
        #expect(UDPv6Transport.isSolicit(relayForward(solicit)))
        #expect(UDPv6Transport.isSolicit(relayForward(relayForward(solicit))))
        #expect(!UDPv6Transport.isSolicit(relayForward(Self.message(.request, 9))))
        #expect(!UDPv6Transport.isSolicit(Self.message(.request, 9)))
        #expect(!UDPv6Transport.isSolicit([]))
        #expect(!UDPv6Transport.isSolicit(Array(relayForward(solicit).prefix(20))))
        var deep = solicit
        for _ in 0..<40 { deep = relayForward(deep) }
        #expect(!UDPv6Transport.isSolicit(deep), "more relay layers than RFC 8415 allows are not looked into")
    }

    @Test func linkLocalDestinationsNameTheirInterface() throws {
        func scope(_ destination: ReplyDestination6, fallback: UInt32?) -> UInt32? {
            guard case .v6(let v6) = UDPv6Transport.target(of: destination, fallbackInterface: fallback) else { return nil }
            return v6.address.sin6_scope_id
        }
        let linkLocal = IPv6Address("fe80::200:5eff:fe00:5301")!
        #expect(scope(.client(linkLocal, port: 546, interfaceIndex: 7), fallback: 3) == 7)
        #expect(scope(.client(linkLocal, port: 546, interfaceIndex: nil), fallback: 3) == 3)
        #expect(scope(.relay(IPv6Address("2001:db8:2::2")!, port: 547, interfaceIndex: 7), fallback: 3) == 0)
        let target = UDPv6Transport.target(of: .client(linkLocal, port: 546, interfaceIndex: 7), fallbackInterface: nil)
        #expect(target.port == 546)
        #expect(IPv6Address(target) == linkLocal)
    }

    @Test func anUnknownInterfaceIsAnError() async throws {
        let transport = UDPv6Transport(
            listen: .interface("nosuchif0"), port: 0, slot: ServiceSlot({ _, _ in nil } as DHCPv6Handler), counters: ServerCounters(),
            logger: Self.logger)
        await #expect(throws: TransportError.self) { try await transport.start(on: MultiThreadedEventLoopGroup.singleton) }
    }

    /// Two namespaces on a bridge (scripts/it/lab.sh): the transport, bound to the bridge in the
    /// server namespace, gets a client's multicast to ff02::1:2 with the bridge as its
    /// interface, and its replies reach the client's link-local address, whether the reply
    /// names the interface or leaves it to the transport; so does a transport bound to no
    /// device, answering a unicast to the server's link-local address; and with siteMulticast
    /// the bound transport also gets what is sent to ff05::1:3.
    @Test(.enabled(if: TestLab.unavailableReason == nil, Comment(rawValue: TestLab.unavailableReason ?? "")))
    func multicastFromALinkIsAnsweredToTheClientsLinkLocalAddress() async throws {
        let lab = "lit\(getpid())-u6t"
        let directory = try makeDirectory()
        _ = try? await TestLab.run("sweep")
        do {
            try await TestLab.run("up", lab)
            try await TestLab.run("link", lab, "br0", "192.0.2.1/24", "00:00:5e:00:53:f0")
            try await TestLab.run("link6", lab, "br0", "2001:db8:1::1/64")
            try await TestLab.run("host", lab, "c1", "br0", "00:00:5e:00:53:21")
            try await exchange(lab: lab)
        } catch {
            _ = try? await TestLab.run("down", lab, directory)
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        try await TestLab.run("down", lab, directory)
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func makeDirectory() throws -> String {
        var template = Array("/tmp/lessor-u6t.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw SocketTestError("mkdtemp: errno \(errno)") }
        return String(cString: made)
    }

    private func linkLocal(_ namespace: String, _ device: String) async throws -> IPv6Address {
        let output = try await TestLab.runCommand(["/bin/sh", "-c", "ip -n \(namespace) -6 -o addr show dev \(device) scope link"])
        let field = output.split(separator: " ").first { $0.hasPrefix("fe80:") }
        return try #require(field.flatMap { IPv6Address($0.split(separator: "/")[0]) }, "no link-local address in: \(output)")
    }

    private func exchange(lab: String) async throws {
        let clientAddress = try await linkLocal("\(lab)-c1", "eth0")
        let serverAddress = try await linkLocal("\(lab)-srv", "br0")
        // The transport's socket is made on its event loop's thread, moved into the server namespace first.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        try await loop.submit { try enterNetworkNamespace("\(lab)-srv") }.get()
        let bridgeIndex = try await loop.submit { Int(if_nametoindex("br0")) }.get()
        try #require(bridgeIndex > 0)

        let seen = Mutex<[PacketOrigin6]>([])
        let counters = ServerCounters()
        let handler: DHCPv6Handler = { bytes, origin in
            seen.withLock { $0.append(origin) }
            // Odd replies name the interface, even ones leave it to the transport.
            let named = seen.withLock { $0.count } % 2 == 1
            return Self.echo(
                bytes, origin,
                destination: .client(origin.sourceAddress, port: origin.sourcePort, interfaceIndex: named ? origin.interfaceIndex : nil))
        }
        let transport = UDPv6Transport(
            listen: .interface("br0"), port: 547, siteMulticast: true, slot: ServiceSlot(handler), counters: counters, logger: Self.logger)
        try await Task(executorPreference: EventLoopTaskExecutor(loop)) { try await transport.start(on: group) }.value

        // A second socket bound to no device (`.address(::)`): a reply to a link-local address
        // can only leave it through the interface the reply or the request's packet info names.
        let unbound = UDPv6Transport(
            listen: .address(.unspecified), port: 5547, slot: ServiceSlot(handler), counters: counters, logger: Self.logger)
        do {
            try await Task(executorPreference: EventLoopTaskExecutor(loop)) { try await unbound.start(on: group) }.value
            let multicast = try await Self.clientExchange("\(lab)-c1", to: "ff02::1:2", port: 547, ids: [0x0A01, 0x0A02])
            let unicast = try await Self.clientExchange("\(lab)-c1", to: serverAddress.description, port: 5547, ids: [0x0A03, 0x0A04])
            // siteMulticast: the device-bound socket has joined All_DHCP_Servers too.
            let site = try await Self.clientExchange("\(lab)-c1", to: "ff05::1:3", port: 547, ids: [0x0A05])
            let expected: [(port: UInt16, destination: IPv6Address)] = [
                (547, IPv6Address("ff02::1:2")!), (547, IPv6Address("ff02::1:2")!), (5547, serverAddress), (5547, serverAddress),
                (547, IPv6Address("ff05::1:3")!),
            ]
            for (number, reply) in (multicast + unicast + site).enumerated() {
                let reply = try #require(reply, "reply \(number + 1) did not reach the client's link-local address")
                #expect(try DHCPv6ClientServerMessage(parsing: reply.bytes).transactionID == UInt32(0x0A01 + number))
                #expect(reply.source == serverAddress)
                #expect(reply.port == expected[number].port)
            }
            let origins = seen.withLock { $0 }
            #expect(origins.count == expected.count)
            for (origin, expected) in zip(origins, expected) {
                #expect(origin.interface == "br0")
                #expect(origin.interfaceIndex == bridgeIndex)
                #expect(origin.destination == expected.destination)
                #expect(origin.sourceAddress == clientAddress)
                #expect(origin.sourcePort == 546)
            }
            #expect(await Self.eventually { counters[.sent] == UInt64(expected.count) }, "\(counters.snapshot())")
            #expect(counters[.sendFailures] == 0)
        } catch {
            await transport.stop()
            await unbound.stop()
            try await group.shutdownGracefully()
            throw error
        }
        await transport.stop()
        await unbound.stop()
        try await group.shutdownGracefully()
    }

    typealias Received = (bytes: [UInt8], source: IPv6Address, port: UInt16, scope: UInt32)

    /// From port 546 on eth0 in `namespace`: a SOLICIT per id to `address`%eth0, each followed by
    /// a wait (at most 5 s) for its answer.
    static func clientExchange(_ namespace: String, to address: String, port: UInt16, ids: [UInt32]) async throws -> [Received?] {
        try await inNetworkNamespace(namespace) { () throws -> [Received?] in
            let index = if_nametoindex("eth0")
            guard index != 0 else { throw SocketTestError("no eth0 in \(namespace)") }
            let client = try PlainUDP6Socket(address: "::", port: 546)
            defer { client.close() }
            client.setMulticastInterface(index)
            var replies: [Received?] = []
            for id in ids {
                try client.send(Self.message(.solicit, id), to: address, port: port, scope: index)
                replies.append(client.receive())
            }
            return replies
        }
    }
}

/// Holds handlers until opened.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resume = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if resume { continuation.resume() }
        }
    }

    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}

@Suite("DHCPv6Sockets", .timeLimit(.minutes(1)))
struct DHCPv6SocketsTests {
    /// A port free on ::1 just now.
    static func freePort() throws -> UInt16 {
        let probe = try PlainUDP6Socket(address: "::1")
        defer { probe.close() }
        return probe.port
    }

    @Test func everyListenEntryGetsASocketAndStopClosesThem() async throws {
        let port = try Self.freePort()
        let configuration = DHCPv6Configuration(listen: [.address(IPv6Address("::1")!)], port: port)
        let sockets = try await DHCPv6Sockets.start(
            configuration, slot: ServiceSlot({ bytes, origin in UDPv6TransportTests.echo(bytes, origin) } as DHCPv6Handler),
            counters: ServerCounters(), logger: UDPv6TransportTests.logger, on: MultiThreadedEventLoopGroup.singleton)
        #expect(sockets.transports.map { $0.localAddress?.port } == [Int(port)])
        let client = try PlainUDP6Socket(address: "::1", timeout: 3)
        try client.send(UDPv6TransportTests.message(.informationRequest, 5), to: "::1", port: port)
        #expect(client.receive() != nil, "no reply on the configured port")
        await sockets.stop()
        try Self.expectNoAnswer(on: port, from: client)
        client.close()
    }

    /// Nothing in this process answers on `port` any more. (Whether the port can be bound again
    /// proves less: NIO's sockets are not close-on-exec, so a child another test starts
    /// meanwhile may hold a copy.)
    static func expectNoAnswer(on port: UInt16, from client: PlainUDP6Socket, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try client.send(UDPv6TransportTests.message(.informationRequest, 6), to: "::1", port: port)
        #expect(client.receive() == nil, "a socket still answers on port \(port)", sourceLocation: sourceLocation)
    }

    @Test func aSocketThatCannotOpenClosesTheOthers() async throws {
        let port = try Self.freePort()
        let configuration = DHCPv6Configuration(listen: [.address(IPv6Address("::1")!), .interface("nosuchif0")], port: port)
        await #expect(throws: TransportError.self) {
            _ = try await DHCPv6Sockets.start(
                configuration, slot: ServiceSlot({ bytes, origin in UDPv6TransportTests.echo(bytes, origin) } as DHCPv6Handler),
                counters: ServerCounters(), logger: UDPv6TransportTests.logger, on: MultiThreadedEventLoopGroup.singleton)
        }
        // The ::1 socket opened first is closed again: it would answer otherwise.
        let client = try PlainUDP6Socket(address: "::1", timeout: 1)
        defer { client.close() }
        try Self.expectNoAnswer(on: port, from: client)
    }
}
