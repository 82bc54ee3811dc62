/// Option 61, the client identifier: a type byte and the identifier (RFC 2132 §9.14). The raw bytes are the
/// identity (what a server keys leases on); `kind` is the view for logs and the dashboard.
public struct DHCPv4ClientIdentifier: Hashable, Sendable, CustomStringConvertible {
    /// The whole option value, type byte first; at least 2 bytes.
    public let bytes: [UInt8]

    public enum Kind: Hashable, Sendable {
        /// Types 1–254: an ARP hardware type and a link-layer address (udhcpc, Windows: type 1 + MAC).
        case hardwareAddress(HardwareAddress)
        /// Type 255 (RFC 4361): IAID and DUID, as DHCPv6 identifies the same interface (dhcpcd, systemd-networkd).
        case nodeSpecific(iaid: UInt32, duid: DUID)
        /// Anything else: type 0 (free-form text), or a type 255 or hardware form whose rest does not parse.
        case other(type: UInt8, data: [UInt8])
    }

    /// Throws when there are fewer than 2 bytes (RFC 2132's minimum length). The rest is not validated: a client
    /// keeps its identity even when its type 255 payload is not a well-formed DUID.
    public init(bytes: [UInt8]) throws(WireError) {
        guard bytes.count >= 2 else {
            throw .truncated("client identifier", at: 0, needed: 2, available: bytes.count)
        }
        self.bytes = bytes
    }

    /// Type = hardware type (truncated to a byte), then the address.
    public init(hardwareAddress: HardwareAddress) {
        bytes = [UInt8(truncatingIfNeeded: hardwareAddress.type)] + hardwareAddress.bytes
    }

    /// RFC 4361 node-specific identifier: type 255, IAID, DUID.
    public init(iaid: UInt32, duid: DUID) {
        var writer = WireWriter(capacity: 5 + duid.bytes.count)
        writer.write(UInt8(255))
        writer.write(iaid)
        writer.write(bytes: duid.bytes)
        bytes = writer.bytes
    }

    public var type: UInt8 { bytes.first ?? 0 }

    public var kind: Kind {
        let data = Array(bytes.dropFirst())
        switch type {
        case 255:
            var reader = WireReader(data)
            guard let iaid = try? reader.readUInt32("IAID"), let duid = try? DUID(bytes: reader.readRest()) else {
                return .other(type: type, data: data)
            }
            return .nodeSpecific(iaid: iaid, duid: duid)
        case 0:
            return .other(type: type, data: data)
        default:
            guard let address = HardwareAddress(type: UInt16(type), bytes: data) else {
                return .other(type: type, data: data)
            }
            return .hardwareAddress(address)
        }
    }

    /// Hex of the whole value, e.g. "01aabbccddeeff".
    public var description: String { bytes.hexString() }
}

extension DHCPv4ClientIdentifier: DHCPv4WireValue {
    static func decode(_ reader: inout WireReader, origin _: DHCPv4Option.Origin?) throws(WireError) -> Self {
        guard reader.remaining >= 2 else { throw .truncated("", at: 0, needed: 2, available: reader.remaining) }
        return try Self(bytes: reader.readRest())
    }

    var encoded: [UInt8] { bytes }
}
