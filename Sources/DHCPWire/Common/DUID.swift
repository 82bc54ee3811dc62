/// A DHCP Unique Identifier (RFC 8415 §11). The raw bytes are the identity; the typed view
/// is for logs and the dashboard. Unknown DUID types are kept as they are.
public struct DUID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let bytes: [UInt8]

    public enum Kind: Hashable, Sendable {
        /// Type 1: hardware type, time (seconds since 2000-01-01), link-layer address.
        case linkLayerPlusTime(hardwareType: UInt16, time: UInt32, address: [UInt8])
        /// Type 2: enterprise number and identifier.
        case enterprise(number: UInt32, identifier: [UInt8])
        /// Type 3: hardware type and link-layer address.
        case linkLayer(hardwareType: UInt16, address: [UInt8])
        /// Type 4: a 16-byte UUID (RFC 6355).
        case uuid([UInt8])
        case other(type: UInt16, data: [UInt8])
    }

    /// RFC 8415 limits a DUID to 128 bytes after the type; we accept 1...130 bytes in total.
    public static let maxLength = 130

    /// Validates the length (2...130 bytes) and, for types 1–4, the fixed part of the layout.
    public init(bytes: [UInt8]) throws(WireError) {
        guard bytes.count >= 2 else { throw .invalid("DUID", at: 0, "shorter than its 2-byte type") }
        guard bytes.count <= DUID.maxLength else { throw .invalid("DUID", at: 0, "longer than \(DUID.maxLength) bytes") }
        let type = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let minimum: Int? = switch type {
        case 1: 8
        case 2: 6
        case 3: 4
        case 4: 18
        default: nil
        }
        if let minimum, bytes.count < minimum {
            throw .invalid("DUID", at: 0, "type \(type) needs at least \(minimum) bytes, has \(bytes.count)")
        }
        if type == 4, bytes.count != 18 { throw .invalid("DUID", at: 0, "DUID-UUID must be 18 bytes, has \(bytes.count)") }
        self.bytes = bytes
    }

    /// A DUID-LL (type 3) for a link-layer address; always valid (4 + at most 16 bytes).
    public static func linkLayer(_ address: HardwareAddress) -> DUID {
        DUID(unchecked: [0, 3, UInt8(address.type >> 8), UInt8(truncatingIfNeeded: address.type)] + address.bytes)
    }

    private init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    public var type: UInt16 { UInt16(bytes[0]) << 8 | UInt16(bytes[1]) }

    public var kind: Kind {
        let body = Array(bytes.dropFirst(2))
        func u16(_ i: Int) -> UInt16 { UInt16(body[i]) << 8 | UInt16(body[i + 1]) }
        func u32(_ i: Int) -> UInt32 { body[i..<i + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        switch type {
        case 1: return .linkLayerPlusTime(hardwareType: u16(0), time: u32(2), address: Array(body[6...]))
        case 2: return .enterprise(number: u32(0), identifier: Array(body[4...]))
        case 3: return .linkLayer(hardwareType: u16(0), address: Array(body[2...]))
        case 4: return .uuid(body)
        default: return .other(type: type, data: body)
        }
    }

    /// The link-layer address a DUID-LLT or DUID-LL carries, if any.
    public var linkLayerAddress: HardwareAddress? {
        switch kind {
        case .linkLayerPlusTime(let type, _, let address), .linkLayer(let type, let address):
            return HardwareAddress(type: type, bytes: address)
        default:
            return nil
        }
    }

    /// Hex of the whole DUID, e.g. "000100012c3a...".
    public var description: String { bytes.hexString() }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let bytes = [UInt8](hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not hex: \(text)"))
        }
        do { self = try DUID(bytes: bytes) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
