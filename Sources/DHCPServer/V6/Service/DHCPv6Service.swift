public import DHCPWire
import Foundation
public import LeaseStore
public import Logging

/// The DHCPv6 pipeline without sockets (RFC 8415): bytes in, a reply and its destination out. The
/// transport calls `handle` once per datagram, concurrently.
public struct DHCPv6Service: Sendable {
    public let configuration: DHCPv6Configuration
    public let plugins: [any DHCPv6Plugin]
    public let serverDUID: DUID
    public let counters: ServerCounters
    private let selector: SubnetSelector6
    private let clock: any LeaseClock
    private let logger: Logger

    public init(
        configuration: DHCPv6Configuration, plugins: [any DHCPv6Plugin], serverDUID: DUID, counters: ServerCounters,
        clock: any LeaseClock, logger: Logger
    ) {
        self.configuration = configuration
        self.plugins = plugins
        self.serverDUID = serverDUID
        self.counters = counters
        self.clock = clock
        self.logger = logger
        selector = SubnetSelector6(subnets: configuration.subnets)
    }

    /// Handles one datagram. Returns nil when nothing is to be sent: malformed, not for this server,
    /// a store failure (the client retries), or a message that takes no reply.
    public func handle(_ bytes: [UInt8], origin: PacketOrigin6) async -> DHCPv6Reply? {
        counters.bump(.received)
        let request: DHCPv6ClientServerMessage
        let relays: [DHCPv6RelayLayer]
        let ias: [DHCPv6IA]
        let clientDUID: DUID?
        let serverID: DUID?
        do {
            let message = try DHCPv6Message(parsing: bytes)
            (request, relays) = message.unwrap()
            if case .relay(let outer) = message, outer.kind != .forward { throw WireError.invalid("msg-type", at: 0, "not a RELAY-FORW") }
            guard relays.allSatisfy({ $0.kind == .forward }) else {
                throw WireError.invalid("msg-type", at: 0, "a RELAY-REPL inside a RELAY-FORW")
            }
            ias = try DHCPv6IA.all(in: request)
            clientDUID = try request.clientID
            serverID = try request.serverID
            _ = try request.oro
        } catch {
            counters.bump(.malformed)
            logger.debug("malformed DHCPv6 packet", metadata: ["dhcp.source": "\(origin.sourceAddress)", "error": "\(error)"])
            return nil
        }
        let type = request.messageType
        switch type {
        case .solicit: counters.bump(.solicit)
        case .request: counters.bump(.request)
        case .confirm: counters.bump(.confirm)
        case .renew: counters.bump(.renew)
        case .rebind: counters.bump(.rebind)
        case .release: counters.bump(.release)
        case .decline: counters.bump(.decline)
        case .informationRequest: counters.bump(.informationRequest)
        default:
            counters.bump(.ignored)  // server-to-client types, RECONFIGURE, leasequery…
            return nil
        }
        var log = logger
        log.handler.metadata["dhcp.xid"] = "\(String(request.transactionID, radix: 16))"
        log.handler.metadata["dhcp.type"] = "\(type)"
        if let clientDUID { log.handler.metadata["dhcp.client"] = "duid:\(clientDUID)" }

        // RFC 8415 §16: who must (not) name a server, and who must name itself.
        let mustNameUs: Set<DHCPv6MessageType> = [.request, .renew, .decline, .release]
        let mustNotNameAServer: Set<DHCPv6MessageType> = [.solicit, .confirm, .rebind]
        if mustNameUs.contains(type), serverID != serverDUID {
            counters.bump(.ignored)
            log.debug("not for this server", metadata: ["dhcp.server": "\(serverID.map(\.description) ?? "none")"])
            return nil
        }
        if mustNotNameAServer.contains(type), serverID != nil {
            counters.bump(.ignored)
            return nil
        }
        if type == .informationRequest, let serverID, serverID != serverDUID {
            counters.bump(.ignored)
            return nil
        }
        if type != .informationRequest, clientDUID == nil {
            counters.bump(.malformed)
            log.debug("no Client Identifier")
            return nil
        }
        if type == .informationRequest, !ias.isEmpty {
            counters.bump(.ignored)  // RFC 8415 §16.12: an INFORMATION-REQUEST carries no IA
            return nil
        }

        let destination = replyDestination(origin: origin, relays: relays)
        // Sent to our unicast address by a client we never gave Server Unicast: tell it to multicast
        // (RFC 8415 §18.3.x, §18.4).
        if relays.isEmpty, mustNameUs.contains(type), let local = origin.destination, !local.isMulticast {
            var reply = baseReply(.reply, to: request)
            reply.options.append(DHCPv6StatusCode(.useMulticast, message: "send to ff02::1:2"))
            log.debug("unicast from a client without Server Unicast: UseMulticast")
            return encode(reply, relays: relays, destination: destination, log: log)
        }

        let subnet = selector.select(relays: relays, origin: origin)
        var clientLinkLayer = relays.last.flatMap { try? $0.clientLinkLayerAddress }
        if clientLinkLayer == nil { clientLinkLayer = clientDUID?.linkLayerAddress }
        let hostname = (try? request.clientFQDN).flatMap { fqdn -> String? in
            let text = fqdn.name.description
            return text.isEmpty ? nil : text
        }
        var context = DHCPv6Context(
            request: request, client: clientDUID.map { .duid($0) }, relays: relays, origin: origin, subnet: subnet,
            link: subnet.map { selector.link(of: $0) } ?? [], serverDUID: serverDUID, now: clock.now(), ias: ias,
            hostname: hostname, clientLinkLayerAddress: clientLinkLayer,
            rapidCommit: type == .solicit && request.rapidCommit && configuration.rapidCommit)

        if type == .confirm { return confirm(context, destination: destination, log: log) }
        if subnet == nil, type != .informationRequest {
            counters.bump(.noSubnet)
            log.debug(
                "no subnet for this request",
                metadata: ["dhcp.link": "\(relays.last?.linkAddress.description ?? "-")", "dhcp.interface": "\(origin.interface ?? "-")"])
            // Without a link the server cannot tell what the client may have; a RENEW/REBIND/RELEASE
            // still needs an answer so the client does not keep addresses from elsewhere.
            if type == .solicit { return nil }
        }

        switch await PluginChainRunner.run(plugins.map(\.name), counters: counters, log: log, step: { index in
            try await plugins[index].handle(&context)
        }) {
        case .finished: break
        case .dropped(let name):
            log.debug("dropped by \(name)", metadata: ["dhcp.note": "\(context.note ?? "")"])
            return nil
        case .failed: return nil
        }
        guard context.replies else {
            if let note = context.note { log.debug("no reply: \(note)") }
            return nil
        }
        guard let reply = assemble(context) else {
            log.debug("no reply: \(context.note ?? "no binding for any IA")")
            return nil
        }
        return encode(reply, relays: relays, destination: destination, log: log)
    }

    // MARK: building replies

    /// ADVERTISE or REPLY with the transaction id, our Server ID and the client's Client ID.
    private func baseReply(_ type: DHCPv6MessageType, to request: DHCPv6ClientServerMessage) -> DHCPv6ClientServerMessage {
        var reply = DHCPv6ClientServerMessage(messageType: type, transactionID: request.transactionID)
        if let client = request.options.first(.clientID) { reply.options.append(.clientID, client.data) }
        reply.options.append(DHCPv6ServerIdentifier(duid: serverDUID))
        return reply
    }

    /// The reply for everything but CONFIRM: the plugins' options, then one IA per IA sent, each with
    /// its lease or its status (RFC 8415 §18.3). Nil when the message takes no reply.
    private func assemble(_ context: DHCPv6Context) -> DHCPv6ClientServerMessage? {
        let type = context.messageType
        var reply = baseReply(context.commits ? .reply : .advertise, to: context.request)
        if context.rapidCommit { reply.options.append(DHCPv6RapidCommit()) }
        if type == .solicit, let preference = configuration.preference { reply.options.append(DHCPv6Preference(preference)) }

        var granted = 0
        var bound = 0
        for ia in context.ias {
            let answer = context.answers[ia.key] ?? defaultAnswer(for: ia, type: type)
            switch answer {
            case .granted: granted += 1
            case .withdrawn: bound += 1
            case .status(let code, _) where code == .success: bound += 1
            case .status: break
            }
            guard let option = iaOption(ia, answer: answer, now: context.now, type: type) else { continue }
            reply.options.append(option)
        }
        switch type {
        case .rebind where granted + bound == 0 && !context.ias.isEmpty:
            // RFC 8415 §18.3.5: no binding and nothing known about these addresses — another server may
            // hold them, so stay silent.
            return nil
        case .solicit where granted == 0:
            // RFC 8415 §18.3.9: nothing to offer for any IA.
            reply.options.append(DHCPv6StatusCode(.noAddrsAvail, message: "no addresses or prefixes available"))
        case .release, .decline:
            reply.options.append(DHCPv6StatusCode(.success, message: type == .release ? "released" : "declined"))
        default:
            break
        }
        for option in context.options where !reply.options.contains(option.code) { reply.options.append(option) }
        return reply
    }

    /// The answer to an IA no plugin answered.
    private func defaultAnswer(for ia: DHCPv6IA, type: DHCPv6MessageType) -> DHCPv6IAAnswer {
        switch type {
        case .solicit, .request:
            ia.kind == .iaPD
                ? .status(.noPrefixAvail, "no prefixes available") : .status(.noAddrsAvail, "no addresses available")
        default:
            .status(.noBinding, "no binding for this IA")
        }
    }

    /// The IA option for the reply; nil when the IA is left out (RELEASE and DECLINE list only failures).
    private func iaOption(_ ia: DHCPv6IA, answer: DHCPv6IAAnswer, now: Date, type: DHCPv6MessageType) -> DHCPv6Option? {
        var t1: UInt32 = 0
        var t2: UInt32 = 0
        var addresses: [DHCPv6IAAddress] = []
        var prefixes: [DHCPv6IAPrefix] = []
        var status: DHCPv6StatusCode?
        func add(_ resource: LeaseResource, preferred: UInt32, valid: UInt32) {
            switch resource {
            case .ipv6(let address):
                addresses.append(DHCPv6IAAddress(address: address, preferredLifetime: preferred, validLifetime: valid))
            case .prefix(let prefix):
                prefixes.append(DHCPv6IAPrefix(prefix: prefix, preferredLifetime: preferred, validLifetime: valid))
            case .ipv4:
                break
            }
        }
        switch answer {
        case .granted(let lease, let renew, let rebind):
            (t1, t2) = (renew, rebind)
            for element in lease.elements {
                let preferred = element.preferredUntil.map { remaining($0, now) } ?? remaining(lease.expiresAt, now)
                let valid = element.validUntil.map { remaining($0, now) } ?? remaining(lease.expiresAt, now)
                add(element.resource, preferred: min(preferred, valid), valid: valid)
            }
        case .withdrawn(let resources):
            for resource in resources { add(resource, preferred: 0, valid: 0) }
        case .status(let code, let message):
            if (type == .release || type == .decline) && code == .success { return nil }
            status = DHCPv6StatusCode(code, message: message)
        }
        switch ia.kind {
        case .iaNA: return DHCPv6Option(DHCPv6IANA(iaid: ia.iaid, t1: t1, t2: t2, addresses: addresses, status: status))
        case .iaTA: return DHCPv6Option(DHCPv6IATA(iaid: ia.iaid, addresses: addresses, status: status))
        case .iaPD: return DHCPv6Option(DHCPv6IAPD(iaid: ia.iaid, t1: t1, t2: t2, prefixes: prefixes, status: status))
        case .v4: return nil
        }
    }

    private func remaining(_ until: Date, _ now: Date) -> UInt32 {
        let seconds = until.timeIntervalSince(now).rounded(.down)
        return seconds <= 0 ? 0 : UInt32(min(seconds, Double(UInt32.max - 1)))
    }

    /// CONFIRM (RFC 8415 §18.3.3): Success when every address is on the client's link, NotOnLink when
    /// one is not; no reply when there is no address to confirm or no link known.
    private func confirm(_ context: DHCPv6Context, destination: ReplyDestination6, log: Logger) -> DHCPv6Reply? {
        let addresses = context.ias.filter { $0.kind != .iaPD }.flatMap(\.resources)
        guard !addresses.isEmpty, !context.link.isEmpty else {
            counters.bump(context.link.isEmpty ? .noSubnet : .ignored)
            return nil
        }
        let onLink = addresses.allSatisfy { resource in
            guard case .ipv6(let address) = resource else { return false }
            return context.link.contains { $0.prefix.contains(address) }
        }
        var reply = baseReply(.reply, to: context.request)
        reply.options.append(
            onLink
                ? DHCPv6StatusCode(.success, message: "all addresses on link")
                : DHCPv6StatusCode(.notOnLink, message: "not on this link"))
        return encode(reply, relays: context.relays, destination: destination, log: log)
    }

    private func replyDestination(origin: PacketOrigin6, relays: [DHCPv6RelayLayer]) -> ReplyDestination6 {
        relays.isEmpty
            ? .client(origin.sourceAddress, port: configuration.clientPort, interfaceIndex: origin.interfaceIndex)
            : .relay(origin.sourceAddress, port: configuration.port, interfaceIndex: origin.interfaceIndex)
    }

    /// Wraps the reply in RELAY-REPL layers mirroring the request's relays and serialises it.
    private func encode(
        _ reply: DHCPv6ClientServerMessage, relays: [DHCPv6RelayLayer], destination: ReplyDestination6, log: Logger
    ) -> DHCPv6Reply? {
        let message: DHCPv6Message
        do {
            message = try DHCPv6Message.relayReply(reply, through: relays)
        } catch {
            counters.bump(.dropped)
            log.error("reply does not fit the relay chain: \(error)")
            return nil
        }
        counters.bump(reply.messageType == .advertise ? .advertise : .reply)
        log.debug("\(reply.messageType)", metadata: ["dhcp.options": "\(reply.options)"])
        return DHCPv6Reply(bytes: message.serialize(), message: message, destination: destination)
    }
}
