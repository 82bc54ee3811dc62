public import DHCPWire
import Foundation
public import LeaseStore
public import Logging

/// The DHCPv4 pipeline without sockets: bytes in, a reply and its destination out. The
/// transport calls `handle` once per datagram, concurrently.
public struct DHCPv4Service: Sendable {
    public struct Reply: Sendable, Equatable {
        public var bytes: [UInt8]
        public var message: DHCPv4Message
        public var destination: ReplyDestination
    }

    public let configuration: DHCPv4Configuration
    public let plugins: [any DHCPv4Plugin]
    public let counters: ServerCounters
    private let selector: SubnetSelector
    private let clock: any LeaseClock
    private let logger: Logger
    /// Lease time when neither the subnet nor a plugin says otherwise.
    public static let defaultLeaseTime: Duration = .seconds(3600)

    public init(
        configuration: DHCPv4Configuration, plugins: [any DHCPv4Plugin], counters: ServerCounters, clock: any LeaseClock,
        logger: Logger
    ) {
        self.configuration = configuration
        self.plugins = plugins
        self.counters = counters
        self.clock = clock
        self.logger = logger
        selector = SubnetSelector(subnets: configuration.subnets)
    }

    /// Handles one datagram. Returns nil when nothing is to be sent (malformed, not for us,
    /// a store failure — the client retries — or a message that takes no reply).
    public func handle(_ bytes: [UInt8], origin: PacketOrigin) async -> Reply? {
        counters.bump(.received)
        let request: DHCPv4Message
        let messageType: DHCPv4MessageType
        do {
            request = try DHCPv4Message(parsing: bytes)
            guard request.op == .bootRequest else {
                counters.bump(.ignored)
                return nil
            }
            guard let type = try request.messageType else {
                counters.bump(.ignored)  // BOOTP without DHCP: not served
                return nil
            }
            messageType = type
        } catch {
            counters.bump(.malformed)
            logger.debug("malformed DHCPv4 packet", metadata: ["dhcp.source": "\(origin.sourceAddress)", "error": "\(error)"])
            return nil
        }
        switch messageType {
        case .discover: counters.bump(.discover)
        case .request: counters.bump(.request)
        case .decline: counters.bump(.decline)
        case .release: counters.bump(.release)
        case .inform: counters.bump(.inform)
        default:
            counters.bump(.ignored)
            return nil
        }
        let client = clientID(of: request)
        if case .hardware(let address) = client, address.bytes.isEmpty || address.bytes.allSatisfy({ $0 == 0 }) {
            counters.bump(.malformed)  // no identity at all: every such client would share one lease
            return nil
        }
        // Request metadata costs string building: at debug level every log line carries it;
        // otherwise only the few lines logged for a request (problems) build it.
        var log = logger
        func describe() -> Logger.Metadata {
            ["dhcp.xid": "\(String(request.xid, radix: 16))", "dhcp.client": "\(client)", "dhcp.type": "\(messageType)"]
        }
        if logger.logLevel <= .debug { log.handler.metadata.merge(describe()) { $1 } }

        guard let subnet = selector.select(request, origin: origin) else {
            counters.bump(.noSubnet)
            // Debug, not info: a misconfigured relay would otherwise flood the log (it is counted).
            log.debug("no subnet for this request", metadata: describe().merging(["dhcp.giaddr": "\(request.giaddr)", "dhcp.interface": "\(origin.interface ?? "-")"]) { $1 })
            return nil
        }
        guard let serverID = subnet.serverID ?? origin.localAddress else {
            counters.bump(.noSubnet)
            log.warning("no server identifier for subnet \(subnet.name): set server_id in the configuration", metadata: describe())
            return nil
        }
        var context = DHCPv4Context(
            request: request, messageType: messageType, client: client, origin: origin, subnet: subnet,
            link: selector.link(of: subnet), serverID: serverID, now: clock.now(),
            leaseTime: subnet.leaseTime ?? Self.defaultLeaseTime)

        switch await PluginChainRunner.run(plugins.map(\.name), counters: counters, log: log, metadata: describe, step: { index in
            try await plugins[index].handle(&context)
        }) {
        case .finished: break
        case .dropped(let name):
            log.debug("dropped by \(name)", metadata: ["dhcp.note": "\(context.note ?? "")"])
            return nil
        case .failed: return nil
        }
        if !context.handled {
            switch context.messageType {
            case .inform:
                context.replyType = .ack  // configuration only, no address (RFC 2131 §3.4)
            case .request where configuration.authoritative:
                context.refuse("no plugin knows \(context.requestedAddress.map(\.description) ?? "the requested address")")
            default:
                break
            }
        }
        guard let replyType = context.replyType else {
            if let note = context.note { log.debug("no reply: \(note)") }
            return nil
        }
        let message = finish(&context, replyType: replyType)
        let maxSize = Int((try? request.options.get(.maximumMessageSize)) ?? 576)
        guard let bytes = try? message.serialize(maxMessageSize: maxSize) else {
            counters.bump(.dropped)
            log.error("reply does not fit the client's maximum message size \(maxSize)", metadata: describe())
            return nil
        }
        switch replyType {
        case .offer: counters.bump(.offer)
        case .ack: counters.bump(.ack)
        case .nak: counters.bump(.nak)
        default: break
        }
        log.debug("reply \(replyType)", metadata: ["lease.address": "\(message.yiaddr)", "dhcp.note": "\(context.note ?? "")"])
        return Reply(bytes: bytes, message: message, destination: ReplyDestination.route(request: request, replyType: replyType))
    }

    /// The key the store uses for this client (DESIGN.md §3 "Client identity").
    public func clientID(of request: DHCPv4Message) -> ClientID {
        if configuration.identity == .clientID, let identifier = try? request.clientIdentifier {
            return .clientIdentifier(identifier.bytes)
        }
        return .hardware(request.chaddr)
    }

    /// Fills the fixed fields every reply of `replyType` has and trims a NAK to what RFC 2131
    /// table 3 allows.
    private func finish(_ context: inout DHCPv4Context, replyType: DHCPv4MessageType) -> DHCPv4Message {
        var reply = context.reply
        let request = context.request
        var options = DHCPv4Options()
        options.set(.messageType, replyType)
        options.set(.serverIdentifier, context.serverID)
        if replyType == .nak {
            reply.yiaddr = .any
            reply.ciaddr = .any
            reply.siaddr = .any
            if !request.giaddr.isUnspecified { reply.flags |= 0x8000 }  // the relay broadcasts it
        } else {
            if context.messageType == .inform {
                reply.yiaddr = .any
                reply.ciaddr = request.ciaddr
            }
            for option in reply.options where option.code != 53 && option.code != 54 && option.code != 82 {
                options.append(option)
            }
        }
        // Option 82 goes back exactly as the relay sent it, last (RFC 3046 §2.2).
        if let agent = request.options[82] { options.append(code: 82, data: agent) }
        reply.options = options
        return reply
    }
}
