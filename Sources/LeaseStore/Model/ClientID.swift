public import DHCPWire

/// Who a lease belongs to. Which form a server keys on is configuration
/// (`identity: client-id | hw-address`): the RFCs prefer option 61 / the DUID, but operators
/// often care about MAC addresses.
///
/// The text form is stable (logs, the control protocol, the dashboard, `lessor leases`):
/// `hw:1:aa:bb:cc:dd:ee:ff`, `id:01aabbccddeeff`, `duid:000100012c…`.
public enum ClientID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// A hardware address with its ARP type (DHCPv4 chaddr, or RFC 6939's option 79).
    case hardware(HardwareAddress)
    /// The bytes of DHCPv4 option 61, type byte included.
    case clientIdentifier([UInt8])
    /// A DHCPv6 DUID (or the DUID inside an RFC 4361 option 61).
    case duid(DUID)

    public var description: String {
        switch self {
        case .hardware(let address): "hw:\(address.type):\(address)"
        case .clientIdentifier(let bytes): "id:\(bytes.hexString())"
        case .duid(let duid): "duid:\(duid)"
        }
    }

    /// Parses the text form produced by `description`.
    public init?(text: some StringProtocol) {
        let text = String(text)
        if text.hasPrefix("hw:") {
            let rest = text.dropFirst(3)
            guard let colon = rest.firstIndex(of: ":"), let type = UInt16(rest[..<colon]),
                let address = HardwareAddress(rest[rest.index(after: colon)...], type: type)
            else { return nil }
            self = .hardware(address)
        } else if text.hasPrefix("id:") {
            guard let bytes = [UInt8](hex: text.dropFirst(3)), !bytes.isEmpty, bytes.count <= 255 else { return nil }
            self = .clientIdentifier(bytes)
        } else if text.hasPrefix("duid:") {
            guard let bytes = [UInt8](hex: text.dropFirst(5)), let duid = try? DUID(bytes: bytes) else { return nil }
            self = .duid(duid)
        } else {
            return nil
        }
    }

    /// A compact, order-preserving binary key: a tag byte, then the identifying bytes.
    /// Providers use it as the primary key and for paging order.
    public var storageKey: [UInt8] {
        switch self {
        case .hardware(let address): [1, UInt8(address.type >> 8), UInt8(truncatingIfNeeded: address.type)] + address.bytes
        case .clientIdentifier(let bytes): [2] + bytes
        case .duid(let duid): [3] + duid.bytes
        }
    }

    /// Inverse of `storageKey`; nil for bytes no `ClientID` produces.
    public init?(storageKey key: some Collection<UInt8>) {
        let key = Array(key)
        guard let tag = key.first else { return nil }
        switch tag {
        case 1:
            guard key.count >= 3, let address = HardwareAddress(type: UInt16(key[1]) << 8 | UInt16(key[2]), bytes: Array(key[3...]))
            else { return nil }
            self = .hardware(address)
        case 2:
            guard key.count >= 2 else { return nil }
            self = .clientIdentifier(Array(key[1...]))
        case 3:
            guard let duid = try? DUID(bytes: Array(key[1...])) else { return nil }
            self = .duid(duid)
        default:
            return nil
        }
    }

    public static func < (lhs: ClientID, rhs: ClientID) -> Bool { lhs.storageKey.lexicographicallyPrecedes(rhs.storageKey) }

    public init(from decoder: any Decoder) throws { self = try decoder.decodeText("a client id") { text in ClientID(text: text) } }
    public func encode(to encoder: any Encoder) throws { try encoder.encodeText(description) }
}
