/// A typed DHCPv6 option: a value that knows its code and how to read and write its payload.
/// Messages keep options as raw bytes; a typed value is decoded only when someone asks for it.
public protocol DHCPv6OptionValue: Hashable, Sendable {
    static var code: DHCPv6OptionCode { get }

    /// Reads the payload. `reader` covers exactly the payload and reports absolute offsets; whatever is
    /// left unread is reported as an error by the caller.
    init(payload reader: inout WireReader) throws(WireError)

    /// Writes the payload (without the code and length).
    func encodePayload(into writer: inout WireWriter)
}

/// Anything that carries DHCPv6 options: messages, relay layers, IAs, IAADDR and IAPREFIX.
public protocol DHCPv6OptionCarrier {
    var options: DHCPv6Options { get set }
}

extension DHCPv6OptionCarrier {
    /// The Status Code option (13), if present.
    public var statusCode: DHCPv6StatusCode? {
        get throws(WireError) { try options.first(DHCPv6StatusCode.self) }
    }
}

// MARK: - Shared payload shapes

/// An option with an empty payload whose presence is the whole message (Rapid Commit, Reconfigure Accept).
public protocol DHCPv6EmptyOption: DHCPv6OptionValue {
    init()
}

extension DHCPv6EmptyOption {
    public init(payload reader: inout WireReader) throws(WireError) { self.init() }
    public func encodePayload(into writer: inout WireWriter) {}
}

/// An option whose payload is one 32-bit count of seconds (SOL_MAX_RT, INF_MAX_RT, Information Refresh Time).
public protocol DHCPv6SecondsOption: DHCPv6OptionValue {
    var seconds: UInt32 { get }
    init(seconds: UInt32)
}

extension DHCPv6SecondsOption {
    public init(payload reader: inout WireReader) throws(WireError) {
        self.init(seconds: try reader.readUInt32("seconds"))
    }

    public func encodePayload(into writer: inout WireWriter) { writer.write(seconds) }
}

/// An option whose payload is a list of option codes (ORO, ERO).
public protocol DHCPv6OptionCodeList: DHCPv6OptionValue {
    var codes: [DHCPv6OptionCode] { get }
    init(codes: [DHCPv6OptionCode])
}

extension DHCPv6OptionCodeList {
    public init(payload reader: inout WireReader) throws(WireError) {
        var codes: [DHCPv6OptionCode] = []
        codes.reserveCapacity(reader.remaining / 2)
        while !reader.isAtEnd { codes.append(DHCPv6OptionCode(try reader.readUInt16("requested code"))) }
        self.init(codes: codes)
    }

    public func encodePayload(into writer: inout WireWriter) {
        for code in codes { writer.write(code.rawValue) }
    }
}

/// An option whose payload is exactly one DUID (Client Identifier, Server Identifier).
public protocol DHCPv6DUIDOption: DHCPv6OptionValue {
    var duid: DUID { get }
    init(duid: DUID)
}

extension DHCPv6DUIDOption {
    public init(payload reader: inout WireReader) throws(WireError) {
        let start = reader.offset
        let bytes = reader.readRest()
        do {
            self.init(duid: try DUID(bytes: bytes))
        } catch {
            // DUID reports offsets within itself; move them into the packet.
            throw WireError(offset: start + error.offset, field: error.field, reason: error.reason)
        }
    }

    public func encodePayload(into writer: inout WireWriter) { writer.write(bytes: duid.bytes) }
}
