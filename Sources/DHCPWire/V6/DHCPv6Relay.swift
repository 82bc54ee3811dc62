/// The fields every relay layer has (RFC 8415 §9): shared by a whole relay message and by the bare
/// layers `DHCPv6Message.unwrap()` returns.
public protocol DHCPv6RelayHeader: DHCPv6OptionCarrier {
    var kind: DHCPv6RelayMessage.Kind { get }
    /// How many relays handled the message before this one (0 for the relay nearest the client).
    var hopCount: UInt8 { get }
    /// An address on the client's link, which the server uses to pick the subnet (may be :: with Interface-Id).
    var linkAddress: IPv6Address { get }
    /// The address the relay received the message from: the client or the previous relay.
    var peerAddress: IPv6Address { get }
}

extension DHCPv6RelayHeader {
    /// The Interface-Id option's bytes, which the Relay-Reply must echo.
    public var interfaceID: [UInt8]? { options[code: .interfaceID] }

    /// The client's MAC as the first relay saw it (RFC 6939).
    public var clientLinkLayerAddress: HardwareAddress? {
        get throws(WireError) { try options.first(DHCPv6ClientLinkLayerAddress.self)?.address }
    }
}

/// RELAY-FORW or RELAY-REPL: one relay's header and options around the message it relays.
public struct DHCPv6RelayMessage: DHCPv6RelayHeader, Hashable, Sendable, CustomStringConvertible {
    /// RFC 8415 §7.6. A relay discards a RELAY-FORW whose hop-count has reached it, so hop-counts run
    /// from 0 to 8 and a packet carries at most nine layers; deeper nesting is rejected while parsing.
    public static let hopCountLimit = 8
    public static let maximumLayers = hopCountLimit + 1

    public enum Kind: Hashable, Sendable {
        case forward
        case reply

        public var messageType: DHCPv6MessageType { self == .forward ? .relayForward : .relayReply }
    }

    public var kind: Kind
    public var hopCount: UInt8
    public var linkAddress: IPv6Address
    public var peerAddress: IPv6Address
    /// Every option except the Relay Message option that holds `message`, in wire order.
    public var options: DHCPv6Options
    /// The relayed packet: a client/server message, or another relay layer.
    public var message: DHCPv6Message
    /// Index in `options` before which the Relay Message option is written; kept from parsing so the
    /// packet comes out as it came in. New messages put it last.
    public var relayMessagePosition: Int

    public init(
        kind: Kind, hopCount: UInt8, linkAddress: IPv6Address, peerAddress: IPv6Address,
        options: DHCPv6Options = [], message: DHCPv6Message
    ) {
        self.kind = kind
        self.hopCount = hopCount
        self.linkAddress = linkAddress
        self.peerAddress = peerAddress
        self.options = options
        self.message = message
        relayMessagePosition = options.count
    }

    /// A relay message from a layer (as `unwrap()` returns them) and the message it carries.
    public init(layer: DHCPv6RelayLayer, message: DHCPv6Message) {
        self.init(
            kind: layer.kind, hopCount: layer.hopCount, linkAddress: layer.linkAddress, peerAddress: layer.peerAddress,
            options: layer.options, message: message)
    }

    /// Parses what follows the msg-type byte; the first Relay Message option becomes `message`.
    init(type: DHCPv6MessageType, rest reader: inout WireReader, relayDepth: Int) throws(WireError) {
        let start = reader.offset - 1
        kind = type == .relayReply ? .reply : .forward
        hopCount = try reader.readUInt8("hop-count")
        linkAddress = try reader.readIPv6("link-address")
        peerAddress = try reader.readIPv6("peer-address")
        var options = try DHCPv6Options(parsing: &reader)
        guard let index = options.firstIndex(where: { $0.code == .relayMessage }) else {
            throw .invalid("\(type)", at: start, "has no Relay Message option (9)")
        }
        let relayed = options.remove(at: index)
        var inner = WireReader(relayed.data, base: relayed.sourceOffset ?? 0)
        message = try DHCPv6Message(reading: &inner, relayDepth: relayDepth + 1)
        self.options = options
        relayMessagePosition = index
    }

    /// This layer without the message it carries.
    public var layer: DHCPv6RelayLayer {
        DHCPv6RelayLayer(
            kind: kind, hopCount: hopCount, linkAddress: linkAddress, peerAddress: peerAddress, options: options)
    }

    public func serialize() -> [UInt8] { DHCPv6Message.relay(self).serialize() }

    /// Writes the header and options. The relayed message must fit an option (65,535 bytes); a parsed
    /// message always does, and `DHCPv6Message.relayReply` checks the ones it builds.
    public func encode(into writer: inout WireWriter) {
        writer.write(kind.messageType.rawValue)
        writer.write(hopCount)
        writer.write(linkAddress)
        writer.write(peerAddress)
        let position = min(max(relayMessagePosition, 0), options.count)
        options.encode(options.startIndex..<position, into: &writer)
        writer.write(DHCPv6OptionCode.relayMessage.rawValue)
        let lengthIndex = writer.count
        writer.write(UInt16(0))
        message.encode(into: &writer)
        let length = writer.count - lengthIndex - 2
        precondition(length <= DHCPv6Option.maximumLength, "relayed DHCPv6 message over 65535 bytes")
        writer.patchUInt16(UInt16(length), at: lengthIndex)
        options.encode(position..<options.endIndex, into: &writer)
    }

    public var encodedLength: Int { 34 + 4 + message.encodedLength + options.encodedLength }

    public var description: String {
        "\(kind.messageType) hop \(hopCount) link \(linkAddress) peer \(peerAddress) > \(message)"
    }
}

/// One relay layer without the message inside: what the server keeps from a RELAY-FORW chain to build
/// the matching RELAY-REPL chain.
public struct DHCPv6RelayLayer: DHCPv6RelayHeader, Hashable, Sendable {
    public var kind: DHCPv6RelayMessage.Kind
    public var hopCount: UInt8
    public var linkAddress: IPv6Address
    public var peerAddress: IPv6Address
    /// The layer's options other than Relay Message (Interface-Id, Remote-Id, client link-layer address…).
    public var options: DHCPv6Options

    public init(
        kind: DHCPv6RelayMessage.Kind, hopCount: UInt8, linkAddress: IPv6Address, peerAddress: IPv6Address,
        options: DHCPv6Options = []
    ) {
        self.kind = kind
        self.hopCount = hopCount
        self.linkAddress = linkAddress
        self.peerAddress = peerAddress
        self.options = options
    }
}

extension DHCPv6Message {
    /// Wraps `reply` in RELAY-REPL layers that mirror the RELAY-FORW chain a request came through (`relays`
    /// outermost first, as `unwrap()` returns them). Hop-count, link- and peer-address are copied; the
    /// Interface-Id is echoed, and so is every option a relay named in an Echo Request option (RFC 4994;
    /// a malformed Echo Request is ignored). Throws `tooLong` if a layer would not fit a Relay Message option.
    public static func relayReply(
        _ reply: DHCPv6ClientServerMessage, through relays: [DHCPv6RelayLayer]
    ) throws(WireError) -> DHCPv6Message {
        var message = DHCPv6Message.clientServer(reply)
        for layer in relays.reversed() {
            var echoed: [DHCPv6OptionCode] = [.interfaceID]
            if let request = try? layer.options.first(DHCPv6EchoRequest.self) {
                echoed += request.codes.filter { $0 != .relayMessage && !echoed.contains($0) }
            }
            var options = DHCPv6Options()
            for code in echoed {
                for option in layer.options.all(code) { options.append(code, option.data) }
            }
            let length = message.encodedLength
            guard length <= DHCPv6Option.maximumLength else {
                throw WireError(offset: 0, field: DHCPv6OptionCode.relayMessage.description, reason: .tooLong(length))
            }
            message = .relay(
                DHCPv6RelayMessage(
                    kind: .reply, hopCount: layer.hopCount, linkAddress: layer.linkAddress,
                    peerAddress: layer.peerAddress, options: options, message: message))
        }
        return message
    }
}

/// Relay Message (option 9) as a typed value, for a Relay Message option met outside the relay header
/// (a repeat, or one built by hand). Parsing a relay message does not need it.
public struct DHCPv6RelayedMessage: DHCPv6OptionValue {
    public static let code = DHCPv6OptionCode.relayMessage
    public var message: DHCPv6Message

    public init(message: DHCPv6Message) { self.message = message }

    public init(payload reader: inout WireReader) throws(WireError) {
        message = try DHCPv6Message(reading: &reader, relayDepth: 0)
    }

    public func encodePayload(into writer: inout WireWriter) { message.encode(into: &writer) }
}
