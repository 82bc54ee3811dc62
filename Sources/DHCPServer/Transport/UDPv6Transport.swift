import DHCPWire
import Logging
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What a DHCPv6 socket hands each datagram to: the bytes and where they came from in, the
/// reply (if any) out. The DHCPv6 service provides it; tests give a canned one.
typealias DHCPv6Handler = @Sendable ([UInt8], PacketOrigin6) async -> DHCPv6Reply?

/// One DHCPv6 UDP socket (IPV6_V6ONLY), the DHCPv6 sibling of `UDPv4Transport`: bound to an
/// interface (SO_BINDTODEVICE on [::]:port, joined there to All_DHCP_Relay_Agents_and_Servers
/// ff02::1:2 and, with `siteMulticast`, All_DHCP_Servers ff05::1:3) or to one local address
/// (relayed traffic, loopback tests). IPV6_RECVPKTINFO tells each datagram's receiving
/// interface and destination address. Each datagram is handled on its own task on the event
/// loop that read it; past `maxInFlight` new datagrams are dropped and counted, and past half
/// of it new SOLICITs (direct or relayed) are shed first. Replies are written, not awaited; a
/// reply to a link-local address leaves through the interface it names (sin6_scope_id), or the
/// socket's own interface when it names none.
final class UDPv6Transport: Sendable {
    /// All_DHCP_Relay_Agents_and_Servers (RFC 8415 §7.1).
    static let allRelayAgentsAndServers = IPv6Address("ff02::1:2")!
    /// All_DHCP_Servers (RFC 8415 §7.1).
    static let allServers = IPv6Address("ff05::1:3")!

    let listen: DHCPv6Configuration.Listen
    let port: UInt16
    let siteMulticast: Bool
    let slot: ServiceSlot<DHCPv6Handler>
    let counters: ServerCounters
    let logger: Logger
    let maxInFlight: Int
    private let channel = Mutex<(any Channel)?>(nil)

    init(
        listen: DHCPv6Configuration.Listen, port: UInt16, siteMulticast: Bool = false, slot: ServiceSlot<DHCPv6Handler>,
        counters: ServerCounters, logger: Logger, maxInFlight: Int = 256
    ) {
        self.listen = listen
        self.port = port
        self.siteMulticast = siteMulticast
        self.slot = slot
        self.counters = counters
        self.logger = logger
        self.maxInFlight = maxInFlight
    }

    /// The local address of `.address` listening.
    var listenAddress: IPv6Address? { if case .address(let address) = listen { address } else { nil } }

    /// The address the socket is bound to (with port 0, the port the system picked); nil before `start`.
    var localAddress: SocketAddress? { channel.withLock { $0?.localAddress } }

    /// Opens the socket. The socket is created in the network namespace of the calling thread.
    func start(on group: any EventLoopGroup) async throws {
        var device: (name: String, index: UInt32)?
        if case .interface(let name) = listen {
            let index = if_nametoindex(name)
            guard index != 0 else { throw TransportError("no interface \(name) to listen on for DHCPv6") }
            device = (name, index)
        }
        let handler = Datagram6Handler(transport: self, device: device)
        let bootstrap = DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 1)
            .channelOption(.receivePacketInfo, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
        let host: String
        switch listen {
        case .interface: host = "::"
        case .address(let address): host = address.description
        }
        let bound = try await bootstrap.bind(host: host, port: Int(port)).get()
        do {
            if let device {
                guard let provider = bound as? any SocketOptionProvider else { throw TransportError("no socket options on \(bound)") }
                try await provider.unsafeSetSocketOption(
                    level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_BINDTODEVICE), value: InterfaceName(device.name).bytes
                ).get()
                var groups = [Self.allRelayAgentsAndServers]
                if siteMulticast { groups.append(Self.allServers) }
                for group in groups {
                    let request = ipv6_mreq(ipv6mr_multiaddr: group.in6, ipv6mr_interface: device.index)
                    try await provider.unsafeSetSocketOption(
                        level: SocketOptionLevel(IPPROTO_IPV6), name: SocketOptionName(IPV6_JOIN_GROUP), value: request
                    ).get()
                }
            }
        } catch {
            try? await bound.close()
            throw TransportError("cannot listen for DHCPv6 on \(listen): \(error)")
        }
        channel.withLock { $0 = bound }
        logger.info("listening for DHCPv6", metadata: ["listen": "\(listen)", "port": "\(bound.localAddress?.port ?? Int(port))"])
    }

    func stop() async {
        let bound = channel.withLock { $0 }
        try? await bound?.close()
    }

    /// Whether a datagram is a SOLICIT, directly or inside Relay-Forwards: new exchanges,
    /// the first to shed under load.
    static func isSolicit(_ bytes: [UInt8]) -> Bool {
        var start = 0
        for _ in 0...DHCPv6RelayMessage.maximumLayers {
            guard start < bytes.count else { return false }
            switch bytes[start] {
            case DHCPv6MessageType.solicit.rawValue: return true
            case DHCPv6MessageType.relayForward.rawValue:
                // msg-type, hop-count, link-address, peer-address (34 bytes), then options;
                // the Relay Message option (9) holds the inner message.
                var offset = start + 34
                var inner: Int?
                while offset + 4 <= bytes.count {
                    let code = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
                    let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
                    if code == 9 { inner = offset + 4; break }
                    offset += 4 + length
                }
                guard let inner else { return false }
                start = inner
            default: return false
            }
        }
        return false
    }

    /// The socket address of a reply's destination; a link-local one carries the interface it
    /// must leave through (the reply's, else `fallbackInterface`) as its scope id.
    static func target(of destination: ReplyDestination6, fallbackInterface: UInt32?) -> SocketAddress {
        let (address, port, interface): (IPv6Address, UInt16, Int?) =
            switch destination {
            case .client(let address, let port, let interface), .relay(let address, let port, let interface): (address, port, interface)
            }
        var raw = sockaddr_in6()
        raw.sin6_family = sa_family_t(AF_INET6)
        raw.sin6_port = port.bigEndian
        raw.sin6_addr = address.in6
        if address.isLinkLocal || address.isMulticast {
            raw.sin6_scope_id = interface.map { UInt32($0) } ?? fallbackInterface ?? 0
        }
        return SocketAddress(raw, host: "")  // display only; formatting it cost a few percent of a request
    }
}

struct TransportError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension IPv6Address {
    /// The address as the socket API's in6_addr.
    var in6: in6_addr {
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
        return raw
    }

    init?(_ socketAddress: SocketAddress?) {
        guard case .v6(let v6)? = socketAddress else { return nil }
        self.init(bytes: withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) })
    }
}

private final class Datagram6Handler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// Slot, counters, logger and limit come from the transport.
    let transport: UDPv6Transport
    /// The interface the socket is bound to, if any.
    let device: (name: String, index: UInt32)?
    let interfaces = InterfaceAddresses()
    /// Set when the handler joins its channel: the channel's event loop as a task executor.
    private let executor = Mutex<EventLoopTaskExecutor?>(nil)

    init(transport: UDPv6Transport, device: (name: String, index: UInt32)?) {
        self.transport = transport
        self.device = device
    }

    func handlerAdded(context: ChannelHandlerContext) { executor.withLock { $0 = EventLoopTaskExecutor(context.eventLoop) } }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let source = IPv6Address(envelope.remoteAddress) else { return }
        let info = envelope.metadata?.packetInfo
        // Bound to a device: SO_BINDTODEVICE is set just after bind, so anything that slipped
        // in from another interface before it is not ours.
        if let device, let info, info.interfaceIndex != Int(device.index) { return }
        var buffer = envelope.data
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        let interfaceIndex = info?.interfaceIndex ?? device.map { Int($0.index) }
        let origin = PacketOrigin6(
            interface: device?.name ?? interfaceIndex.flatMap { interfaces.lookup($0)?.name },
            interfaceIndex: interfaceIndex,
            destination: IPv6Address(info?.destinationAddress) ?? transport.listenAddress,
            sourceAddress: source, sourcePort: UInt16(envelope.remoteAddress.port ?? 0))
        let limit = UDPv6Transport.isSolicit(bytes) ? transport.maxInFlight / 2 : transport.maxInFlight
        let slot = transport.slot, counters = transport.counters, logger = transport.logger
        guard let handle = slot.enter(limit: limit) else {
            counters.bump(.dropped)
            return
        }
        let channel = context.channel
        let fallbackInterface = device?.index ?? info.map { UInt32($0.interfaceIndex) }
        let executor = executor.withLock { $0 }
        Task(executorPreference: executor) {
            defer { slot.leave() }
            guard let reply = await handle(bytes, origin) else { return }
            let target = UDPv6Transport.target(of: reply.destination, fallbackInterface: fallbackInterface)
            sendDatagram(reply.bytes, to: target, on: channel, counters: counters, logger: logger, destination: "\(reply.destination)")
        }
    }
}
