/// Option Request (option 6, ORO): the option codes a client asks for.
public struct DHCPv6OptionRequest: DHCPv6OptionCodeList {
    public static let code = DHCPv6OptionCode.optionRequest
    public var codes: [DHCPv6OptionCode]
    public init(codes: [DHCPv6OptionCode]) { self.codes = codes }
}

/// Echo Request (option 43, RFC 4994): options a relay asks the server to copy into the Relay-Reply.
public struct DHCPv6EchoRequest: DHCPv6OptionCodeList {
    public static let code = DHCPv6OptionCode.echoRequest
    public var codes: [DHCPv6OptionCode]
    public init(codes: [DHCPv6OptionCode]) { self.codes = codes }
}

/// Preference (option 7): a server's priority in ADVERTISE; 255 tells the client to stop waiting.
public struct DHCPv6Preference: DHCPv6OptionValue {
    public static let code = DHCPv6OptionCode.preference
    public var value: UInt8

    public init(_ value: UInt8) { self.value = value }
    public init(payload reader: inout WireReader) throws(WireError) { value = try reader.readUInt8("preference") }
    public func encodePayload(into writer: inout WireWriter) { writer.write(value) }
}

/// Elapsed Time (option 8): how long the client has been trying, in hundredths of a second
/// (0xFFFF means that long or longer).
public struct DHCPv6ElapsedTime: DHCPv6OptionValue {
    public static let code = DHCPv6OptionCode.elapsedTime
    public var hundredths: UInt16

    public init(hundredths: UInt16) { self.hundredths = hundredths }
    public init(payload reader: inout WireReader) throws(WireError) {
        hundredths = try reader.readUInt16("elapsed time")
    }
    public func encodePayload(into writer: inout WireWriter) { writer.write(hundredths) }
}

/// Server Unicast (option 12): the address a client may unicast to instead of ff02::1:2.
public struct DHCPv6ServerUnicast: DHCPv6OptionValue {
    public static let code = DHCPv6OptionCode.serverUnicast
    public var address: IPv6Address

    public init(address: IPv6Address) { self.address = address }
    public init(payload reader: inout WireReader) throws(WireError) { address = try reader.readIPv6("server address") }
    public func encodePayload(into writer: inout WireWriter) { writer.write(address) }
}

/// Rapid Commit (option 14): a SOLICIT that carries it accepts a REPLY straight away (two-message exchange).
public struct DHCPv6RapidCommit: DHCPv6EmptyOption {
    public static let code = DHCPv6OptionCode.rapidCommit
    public init() {}
}

/// Reconfigure Message (option 19): inside RECONFIGURE, which message the client should send
/// (RENEW, REBIND or INFORMATION-REQUEST).
public struct DHCPv6ReconfigureMessage: DHCPv6OptionValue {
    public static let code = DHCPv6OptionCode.reconfigureMessage
    public var messageType: DHCPv6MessageType

    public init(messageType: DHCPv6MessageType) { self.messageType = messageType }
    public init(payload reader: inout WireReader) throws(WireError) {
        messageType = DHCPv6MessageType(rawValue: try reader.readUInt8("msg-type"))
    }
    public func encodePayload(into writer: inout WireWriter) { writer.write(messageType.rawValue) }
}

/// Reconfigure Accept (option 20): the client will accept RECONFIGURE messages.
public struct DHCPv6ReconfigureAccept: DHCPv6EmptyOption {
    public static let code = DHCPv6OptionCode.reconfigureAccept
    public init() {}
}

/// DNS Recursive Name Server (option 23, RFC 3646): resolver addresses, in preference order.
public struct DHCPv6DNSServers: DHCPv6OptionValue {
    public static let code = DHCPv6OptionCode.dnsServers
    public var addresses: [IPv6Address]

    public init(addresses: [IPv6Address]) { self.addresses = addresses }

    public init(payload reader: inout WireReader) throws(WireError) {
        guard reader.remaining % 16 == 0 else {
            throw .invalid("addresses", at: reader.offset, "length \(reader.remaining) is not a multiple of 16")
        }
        addresses = []
        while !reader.isAtEnd { addresses.append(try reader.readIPv6("address")) }
    }

    public func encodePayload(into writer: inout WireWriter) {
        for address in addresses { writer.write(address) }
    }
}

/// Information Refresh Time (option 32): how long an INFORMATION-REQUEST answer stays good.
public struct DHCPv6InformationRefreshTime: DHCPv6SecondsOption {
    public static let code = DHCPv6OptionCode.informationRefreshTime
    public var seconds: UInt32
    public init(seconds: UInt32) { self.seconds = seconds }
}

/// SOL_MAX_RT (option 82): the server's cap on the client's SOLICIT retransmission timeout.
public struct DHCPv6SolMaxRT: DHCPv6SecondsOption {
    public static let code = DHCPv6OptionCode.solMaxRT
    public var seconds: UInt32
    public init(seconds: UInt32) { self.seconds = seconds }
}

/// INF_MAX_RT (option 83): the server's cap on the INFORMATION-REQUEST retransmission timeout.
public struct DHCPv6InfMaxRT: DHCPv6SecondsOption {
    public static let code = DHCPv6OptionCode.infMaxRT
    public var seconds: UInt32
    public init(seconds: UInt32) { self.seconds = seconds }
}
