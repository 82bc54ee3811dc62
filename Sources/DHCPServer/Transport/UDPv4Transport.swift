import DHCPWire
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One DHCPv4 UDP socket: bound to an interface (SO_BINDTODEVICE, receiving broadcasts on
/// it) or to a local address. Each datagram is handed to the service on its own task, so
/// many requests are in flight at once (which is what lets the store group-commit them);
/// past `maxInFlight` new datagrams are dropped and counted rather than queued without bound,
/// and past half of it new DISCOVERs are shed first: finishing the REQUESTs of exchanges
/// already under way completes leases, starting new ones under overload only adds stale work.
final class UDPv4Transport: Sendable {
    let listen: DHCPv4Configuration.Listen
    let port: UInt16
    let slot: ServiceSlot<DHCPv4Service>
    let logger: Logger
    let maxInFlight: Int
    private let channel = Mutex<(any Channel)?>(nil)

    init(listen: DHCPv4Configuration.Listen, port: UInt16, slot: ServiceSlot<DHCPv4Service>, logger: Logger, maxInFlight: Int = 256) {
        self.listen = listen
        self.port = port
        self.slot = slot
        self.logger = logger
        self.maxInFlight = maxInFlight
    }

    func start(on group: any EventLoopGroup) async throws {
        let interfaces = InterfaceAddresses()
        let handler = DatagramHandler(slot: slot, logger: logger, interfaces: interfaces, listen: listen,
                                      serverPort: port, clientPort: slot.service.configuration.clientPort, maxInFlight: maxInFlight)
        let listen = listen
        let bootstrap = DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.so_broadcast), value: 1)
            .channelOption(.receivePacketInfo, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if case .interface(let name) = listen {
                        try channel.syncOptions?.setOption(.socketOption(.so_reuseaddr), value: 1)
                        guard let provider = channel as? any SocketOptionProvider else { return }
                        _ = provider.unsafeSetSocketOption(
                            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_BINDTODEVICE), value: InterfaceName(name).bytes)
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let host: String
        switch listen {
        case .interface: host = "0.0.0.0"
        case .address(let address): host = address.description
        }
        let bound = try await bootstrap.bind(host: host, port: Int(port)).get()
        channel.withLock { $0 = bound }
        logger.info("listening for DHCPv4", metadata: ["listen": "\(listen)", "port": "\(port)"])
    }

    func stop() async {
        let bound = channel.withLock { $0 }
        try? await bound?.close()
    }
}

/// IFNAMSIZ bytes, NUL padded: SO_BINDTODEVICE's argument.
struct InterfaceName: Sendable {
    typealias Bytes = (CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar)
    let bytes: Bytes

    init(_ name: String) {
        var raw = [CChar](repeating: 0, count: 16)
        for (index, byte) in name.utf8.prefix(15).enumerated() { raw[index] = CChar(bitPattern: byte) }
        bytes = (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15])
    }
}

/// Interface index → (name, first IPv4 address), refreshed when an unknown index shows up.
final class InterfaceAddresses: Sendable {
    private let table = Mutex<[Int: (name: String, address: IPv4Address?)]>([:])

    func lookup(_ index: Int) -> (name: String, address: IPv4Address?)? {
        if let entry = table.withLock({ $0[index] }) { return entry }
        refresh()
        return table.withLock { $0[index] }
    }

    func refresh() {
        guard let devices = try? System.enumerateDevices() else { return }
        var fresh: [Int: (name: String, address: IPv4Address?)] = [:]
        for device in devices {
            var address: IPv4Address?
            if case .v4(let v4)? = device.address { address = IPv4Address(UInt32(bigEndian: v4.address.sin_addr.s_addr)) }
            if let existing = fresh[device.interfaceIndex], existing.address != nil { continue }
            fresh[device.interfaceIndex] = (device.name, address)
        }
        table.withLock { $0 = fresh }
    }
}

private final class DatagramHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let slot: ServiceSlot<DHCPv4Service>
    let logger: Logger
    let interfaces: InterfaceAddresses
    let listen: DHCPv4Configuration.Listen
    let serverPort: UInt16
    let clientPort: UInt16
    let maxInFlight: Int
    /// Set when the handler joins its channel: the channel's event loop as a task executor.
    private let executor = Mutex<EventLoopTaskExecutor?>(nil)

    init(slot: ServiceSlot<DHCPv4Service>, logger: Logger, interfaces: InterfaceAddresses, listen: DHCPv4Configuration.Listen,
         serverPort: UInt16, clientPort: UInt16, maxInFlight: Int) {
        self.slot = slot
        self.logger = logger
        self.interfaces = interfaces
        self.listen = listen
        self.serverPort = serverPort
        self.clientPort = clientPort
        self.maxInFlight = maxInFlight
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loop = context.eventLoop
        executor.withLock { $0 = EventLoopTaskExecutor(loop) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var buffer = envelope.data
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        guard case .v4(let source) = envelope.remoteAddress else { return }
        var interface: String?
        var localAddress: IPv4Address?
        switch listen {
        case .interface(let name): interface = name
        case .address(let address): localAddress = address
        }
        if let info = envelope.metadata?.packetInfo, let entry = interfaces.lookup(info.interfaceIndex) {
            interface = interface ?? entry.name
            localAddress = localAddress ?? entry.address
        }
        let origin = PacketOrigin(
            interface: interface, localAddress: localAddress,
            sourceAddress: IPv4Address(UInt32(bigEndian: source.address.sin_addr.s_addr)), sourcePort: UInt16(envelope.remoteAddress.port ?? 0))
        let limit = DHCPv4Message.peekMessageType(bytes) == .discover ? maxInFlight / 2 : maxInFlight
        guard let service = slot.enter(limit: limit) else {
            slot.service.counters.bump(.dropped)
            return
        }
        let channel = context.channel
        let slot = slot, serverPort = serverPort, clientPort = clientPort, logger = logger
        let executor = executor.withLock { $0 }
        Task(executorPreference: executor) {
            defer { slot.leave() }
            guard let reply = await service.handle(bytes, origin: origin) else { return }
            let target: SocketAddress
            switch reply.destination {
            case .relay(let relay): target = .ipv4(relay, port: serverPort)
            case .unicast(let address): target = .ipv4(address, port: clientPort)
            case .broadcast: target = .ipv4(DHCPWire.IPv4Address(255, 255, 255, 255), port: clientPort)
            }
            sendDatagram(reply.bytes, to: target, on: channel, counters: service.counters, logger: logger,
                         destination: "\(reply.destination)")
        }
    }
}

extension SocketAddress {
    /// A reply's destination built from the address's bits: formatting the address as text for
    /// NIO to parse back cost a few percent of a request. The host text is only for display.
    static func ipv4(_ address: DHCPWire.IPv4Address, port: UInt16) -> SocketAddress {
        var raw = sockaddr_in()
        raw.sin_family = sa_family_t(AF_INET)
        raw.sin_port = port.bigEndian
        raw.sin_addr = in_addr(s_addr: address.rawValue.bigEndian)
        return SocketAddress(raw, host: "")
    }
}
