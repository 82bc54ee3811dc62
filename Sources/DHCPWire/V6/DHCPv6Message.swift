/// A DHCPv6 packet as it arrives on UDP port 547: either a client/server message or a relay message that
/// wraps another packet (RFC 8415 §8, §9). Parsing then serialising gives back the same bytes.
public enum DHCPv6Message: Hashable, Sendable, CustomStringConvertible {
    case clientServer(DHCPv6ClientServerMessage)
    indirect case relay(DHCPv6RelayMessage)

    /// Parses a whole UDP payload. Relay layers are unwrapped recursively, at most
    /// `DHCPv6RelayMessage.maximumLayers` deep.
    public init(parsing bytes: some Collection<UInt8>) throws(WireError) {
        var reader = WireReader(bytes)
        try self.init(reading: &reader, relayDepth: 0)
    }

    /// Parses one message that fills the rest of `reader`; `relayDepth` counts the relay layers around it.
    init(reading reader: inout WireReader, relayDepth: Int) throws(WireError) {
        let start = reader.offset
        let type = DHCPv6MessageType(rawValue: try reader.readUInt8("msg-type"))
        if type.isRelay {
            guard relayDepth < DHCPv6RelayMessage.maximumLayers else {
                throw .invalid(
                    "\(type)", at: start,
                    "more than \(DHCPv6RelayMessage.maximumLayers) nested relay layers (HOP_COUNT_LIMIT is 8)")
            }
            self = .relay(try DHCPv6RelayMessage(type: type, rest: &reader, relayDepth: relayDepth))
        } else {
            self = .clientServer(try DHCPv6ClientServerMessage(type: type, rest: &reader))
        }
    }

    public var messageType: DHCPv6MessageType {
        switch self {
        case .clientServer(let message): message.messageType
        case .relay(let relay): relay.kind.messageType
        }
    }

    public func serialize() -> [UInt8] {
        var writer = WireWriter(capacity: encodedLength)
        encode(into: &writer)
        return writer.bytes
    }

    public func encode(into writer: inout WireWriter) {
        switch self {
        case .clientServer(let message): message.encode(into: &writer)
        case .relay(let relay): relay.encode(into: &writer)
        }
    }

    /// Bytes `serialize()` produces.
    public var encodedLength: Int {
        switch self {
        case .clientServer(let message): message.encodedLength
        case .relay(let relay): relay.encodedLength
        }
    }

    /// The client's message inside every relay layer, and the layers it came through, outermost first
    /// (the relay nearest the server first, the one nearest the client last).
    public func unwrap() -> (message: DHCPv6ClientServerMessage, relays: [DHCPv6RelayLayer]) {
        var relays: [DHCPv6RelayLayer] = []
        var current = self
        while true {
            switch current {
            case .clientServer(let message):
                return (message, relays)
            case .relay(let relay):
                relays.append(relay.layer)
                current = relay.message
            }
        }
    }

    /// "RELAY-FORW hop 0 link 2001:db8::1 peer fe80::1 > SOLICIT xid 0x00abcd, 6 options"
    public var description: String {
        switch self {
        case .clientServer(let message): message.description
        case .relay(let relay): relay.description
        }
    }
}

/// A message between a client and a server (every type except RELAY-FORW and RELAY-REPL): msg-type,
/// 24-bit transaction-id, options.
public struct DHCPv6ClientServerMessage: Hashable, Sendable, DHCPv6OptionCarrier, CustomStringConvertible {
    public var messageType: DHCPv6MessageType
    /// 24 bits on the wire; higher bits are cleared when set.
    public var transactionID: UInt32 {
        didSet { transactionID &= 0xFF_FFFF }
    }
    public var options: DHCPv6Options

    public init(messageType: DHCPv6MessageType, transactionID: UInt32, options: DHCPv6Options = []) {
        self.messageType = messageType
        self.transactionID = transactionID & 0xFF_FFFF
        self.options = options
    }

    /// Parses a message that is known not to be relayed; a relay message type is an error.
    public init(parsing bytes: some Collection<UInt8>) throws(WireError) {
        var reader = WireReader(bytes)
        let type = DHCPv6MessageType(rawValue: try reader.readUInt8("msg-type"))
        guard !type.isRelay else { throw .invalid("msg-type", at: 0, "\(type) is a relay message") }
        try self.init(type: type, rest: &reader)
    }

    /// Parses what follows the msg-type byte.
    init(type: DHCPv6MessageType, rest reader: inout WireReader) throws(WireError) {
        messageType = type
        let high = try reader.readUInt8("transaction-id")
        let low = try reader.readUInt16("transaction-id")
        transactionID = UInt32(high) << 16 | UInt32(low)
        options = try DHCPv6Options(parsing: &reader)
    }

    public func serialize() -> [UInt8] {
        var writer = WireWriter(capacity: encodedLength)
        encode(into: &writer)
        return writer.bytes
    }

    public func encode(into writer: inout WireWriter) {
        writer.write(messageType.rawValue)
        writer.write(UInt8(truncatingIfNeeded: transactionID >> 16))
        writer.write(UInt16(truncatingIfNeeded: transactionID))
        options.encode(into: &writer)
    }

    public var encodedLength: Int { 4 + options.encodedLength }

    /// "SOLICIT xid 0x00abcd, 6 options"
    public var description: String {
        let hex = String(transactionID, radix: 16)
        let padded = String(repeating: "0", count: max(0, 6 - hex.count)) + hex
        return "\(messageType) xid 0x\(padded), \(options.count) options"
    }
}
