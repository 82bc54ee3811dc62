/// Client Identifier (option 1): the client's DUID, the key a server finds its leases by.
public struct DHCPv6ClientIdentifier: DHCPv6DUIDOption {
    public static let code = DHCPv6OptionCode.clientID
    public var duid: DUID
    public init(duid: DUID) { self.duid = duid }
}

/// Server Identifier (option 2): the DUID of the server that answers or is addressed.
public struct DHCPv6ServerIdentifier: DHCPv6DUIDOption {
    public static let code = DHCPv6OptionCode.serverID
    public var duid: DUID
    public init(duid: DUID) { self.duid = duid }
}

/// Client Link-Layer Address (option 79, RFC 6939): added by the first relay so a server can key on the
/// client's MAC even though DHCPv6 identifies clients by DUID.
public struct DHCPv6ClientLinkLayerAddress: DHCPv6OptionValue {
    public static let code = DHCPv6OptionCode.clientLinkLayerAddress
    public var address: HardwareAddress

    public init(address: HardwareAddress) { self.address = address }

    public init(payload reader: inout WireReader) throws(WireError) {
        let type = try reader.readUInt16("link-layer type")
        let start = reader.offset
        let bytes = reader.readRest()
        guard !bytes.isEmpty else { throw .invalid("link-layer address", at: start, "is empty") }
        guard let address = HardwareAddress(type: type, bytes: bytes) else {
            throw .invalid("link-layer address", at: start, "is \(bytes.count) bytes, more than 16")
        }
        self.address = address
    }

    public func encodePayload(into writer: inout WireWriter) {
        writer.write(address.type)
        writer.write(bytes: address.bytes)
    }
}

/// Interface-Id (option 18): an opaque value a relay adds to name the client's interface; the server
/// echoes it in the Relay-Reply unchanged.
public struct DHCPv6InterfaceID: DHCPv6OptionValue {
    public static let code = DHCPv6OptionCode.interfaceID
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(payload reader: inout WireReader) throws(WireError) { bytes = reader.readRest() }
    public func encodePayload(into writer: inout WireWriter) { writer.write(bytes: bytes) }
}
