/// The relay agent sub-options Lessor reads and writes by type (RFC 3046, 3527, 3993, 4243, 5010, 5107, 6607).
extension DHCPv4RelayAgentInformation.SubOptionKey where Value == [UInt8] {
    /// 1: the port or circuit the client's message arrived on, opaque to the server.
    public static var circuitID: Self { Self(1, .bytes) }
    /// 2: identifies the remote host end of the circuit (often a modem MAC or a subscriber line), opaque.
    public static var remoteID: Self { Self(2, .bytes) }
}

extension DHCPv4RelayAgentInformation.SubOptionKey where Value == IPv4Address {
    /// 5 (RFC 3527): the subnet to allocate from, when it differs from giaddr's.
    public static var linkSelection: Self { Self(5, .address) }
    /// 11 (RFC 5107): the address the client must see as server identifier (the relay's, so renewals reach it).
    public static var serverIdentifierOverride: Self { Self(11, .address) }
}

extension DHCPv4RelayAgentInformation.SubOptionKey where Value == String {
    /// 6 (RFC 3993): the subscriber identity a provisioning system assigned, NVT ASCII.
    public static var subscriberID: Self { Self(6, .text) }
}

extension DHCPv4RelayAgentInformation.SubOptionKey where Value == DHCPv4RelayAgentFlags {
    /// 10 (RFC 5010): flags about how the relay received the client's message.
    public static var relayAgentFlags: Self { Self(10, .wireValue) }
}

extension DHCPv4RelayAgentInformation.SubOptionKey where Value == [DHCPv4VendorSpecificInformation] {
    /// 9 (RFC 4243): vendor data, each item tagged with its IANA enterprise number.
    public static var vendorSpecific: Self {
        Self(9, DHCPv4ValueCoding(decode: Value.Element.decodeList, encode: { $0.flatMap { $0.encoded } }))
    }
}

extension DHCPv4RelayAgentInformation.SubOptionKey where Value == DHCPv4VirtualSubnet {
    /// 151 (RFC 6607): the VPN the client belongs to.
    public static var virtualSubnetSelection: Self { Self(151, .wireValue) }
}

extension DHCPv4RelayAgentInformation.SubOptionKey where Value == Bool {
    /// 152 (RFC 6607): present and empty when the relay handles VSS itself; the server must not echo it.
    public static var virtualSubnetSelectionControl: Self { Self(152, .flag) }
}

extension DHCPv4RelayAgentInformation.SubOptionKey {
    fileprivate init(_ code: UInt8, _ coding: DHCPv4ValueCoding<Value>) {
        self.init(code: code, name: DHCPv4RelayAgentInformation.name(of: code) ?? "unnamed", coding: coding)
    }
}

/// Sub-option 10's flags (RFC 5010).
public struct DHCPv4RelayAgentFlags: OptionSet, Hashable, Sendable, DHCPv4WireValue {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The client's message reached the relay unicast (a renewal), so the reply may go back unicast.
    public static let unicast = DHCPv4RelayAgentFlags(rawValue: 0x80)

    static func decode(_ reader: inout WireReader, origin _: DHCPv4Option.Origin?) throws(WireError) -> Self {
        Self(rawValue: try reader.readUInt8(""))
    }

    var encoded: [UInt8] { [rawValue] }
}

/// One item of sub-option 9 (RFC 4243): an IANA enterprise number and that vendor's data.
public struct DHCPv4VendorSpecificInformation: Hashable, Sendable {
    public let enterpriseNumber: UInt32
    /// At most 255 bytes.
    public let data: [UInt8]

    /// nil when `data` is longer than 255 bytes.
    public init?(enterpriseNumber: UInt32, data: [UInt8]) {
        guard data.count <= 255 else { return nil }
        self.init(valid: enterpriseNumber, data)
    }

    private init(valid enterpriseNumber: UInt32, _ data: [UInt8]) {
        self.enterpriseNumber = enterpriseNumber
        self.data = data
    }

    /// Enterprise number, data length, data; at most 255 bytes of data, so the length fits.
    var encoded: [UInt8] {
        var writer = WireWriter(capacity: 5 + data.count)
        writer.write(enterpriseNumber)
        writer.write(UInt8(truncatingIfNeeded: data.count))
        writer.write(bytes: data)
        return writer.bytes
    }

    /// Items one after another until the value ends.
    static func decodeList(_ reader: inout WireReader, origin _: DHCPv4Option.Origin?) throws(WireError) -> [Self] {
        var items: [Self] = []
        while !reader.isAtEnd {
            let enterpriseNumber = try reader.readUInt32("enterprise number")
            let length = try reader.readUInt8("data length")
            items.append(Self(valid: enterpriseNumber, try reader.readBytes(Int(length), "data")))
        }
        return items
    }
}

/// Sub-option 151's value (RFC 6607): which VPN a client is in.
public enum DHCPv4VirtualSubnet: Hashable, Sendable, DHCPv4WireValue {
    /// Type 0: a VPN name in NVT ASCII.
    case name(String)
    /// Type 1: an RFC 2685 VPN-ID, a 24-bit OUI and a 32-bit index.
    case vpnID(oui: UInt32, index: UInt32)
    /// Type 255: the global, default VPN (no data).
    case global
    /// A reserved type, kept as it was.
    case other(type: UInt8, data: [UInt8])

    var encoded: [UInt8] {
        var writer = WireWriter()
        switch self {
        case .name(let name):
            writer.write(UInt8(0))
            writer.write(bytes: name.utf8)
        case .vpnID(let oui, let index):
            writer.write(UInt8(1))
            writer.write(bytes: [
                UInt8(truncatingIfNeeded: oui >> 16), UInt8(truncatingIfNeeded: oui >> 8),
                UInt8(truncatingIfNeeded: oui),
            ])
            writer.write(index)
        case .global:
            writer.write(UInt8(255))
        case .other(let type, let data):
            writer.write(type)
            writer.write(bytes: data)
        }
        return writer.bytes
    }

    static func decode(_ reader: inout WireReader, origin _: DHCPv4Option.Origin?) throws(WireError) -> Self {
        let type = try reader.readUInt8("type")
        switch type {
        case 0:
            return .name(DHCPv4ValueCoding.string(reader.readRest()))
        case 1:
            let oui = try reader.readBytes(3, "VPN-ID").reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return .vpnID(oui: oui, index: try reader.readUInt32("VPN-ID"))
        case 255:
            return .global
        default:
            return .other(type: type, data: reader.readRest())
        }
    }
}
