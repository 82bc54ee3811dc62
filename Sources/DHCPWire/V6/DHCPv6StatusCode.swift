/// Status Code (option 13): the outcome of a request, for the whole message or for one IA or address.
public struct DHCPv6StatusCode: DHCPv6OptionValue, CustomStringConvertible {
    public static let code = DHCPv6OptionCode.statusCode

    /// RFC 8415 §21.13 status values; later ones (leasequery, failover) are kept as `.other`.
    public enum Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        case success
        case unspecFail
        case noAddrsAvail
        case noBinding
        case notOnLink
        case useMulticast
        case noPrefixAvail
        case other(UInt16)

        public init(rawValue: UInt16) {
            switch rawValue {
            case 0: self = .success
            case 1: self = .unspecFail
            case 2: self = .noAddrsAvail
            case 3: self = .noBinding
            case 4: self = .notOnLink
            case 5: self = .useMulticast
            case 6: self = .noPrefixAvail
            default: self = .other(rawValue)
            }
        }

        public var rawValue: UInt16 {
            switch self {
            case .success: 0
            case .unspecFail: 1
            case .noAddrsAvail: 2
            case .noBinding: 3
            case .notOnLink: 4
            case .useMulticast: 5
            case .noPrefixAvail: 6
            case .other(let value): value
            }
        }

        /// The RFC's name ("NoAddrsAvail"), or "status N".
        public var description: String {
            switch self {
            case .success: "Success"
            case .unspecFail: "UnspecFail"
            case .noAddrsAvail: "NoAddrsAvail"
            case .noBinding: "NoBinding"
            case .notOnLink: "NotOnLink"
            case .useMulticast: "UseMulticast"
            case .noPrefixAvail: "NoPrefixAvail"
            case .other(let value): "status \(value)"
            }
        }

        public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }
        public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
    }

    public var status: Code
    /// Text for a human. Bytes that are not valid UTF-8 are read as U+FFFD rather than rejected, so a
    /// peer's sloppy message never hides its status.
    public var message: String

    public init(_ status: Code, message: String = "") {
        self.status = status
        self.message = message
    }

    public init(payload reader: inout WireReader) throws(WireError) {
        status = Code(rawValue: try reader.readUInt16("status-code"))
        message = String(decoding: reader.readRest(), as: UTF8.self)
    }

    public func encodePayload(into writer: inout WireWriter) {
        writer.write(status.rawValue)
        writer.write(bytes: message.utf8)
    }

    public var isSuccess: Bool { status == .success }

    /// "NoAddrsAvail: no addresses left in pool"
    public var description: String { message.isEmpty ? status.description : "\(status): \(message)" }
}
