/// A message that could not be parsed (or built). It names the byte offset in the outermost
/// buffer and the field being read, so a log line says exactly where a packet went wrong.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// The buffer ended before the field did.
        case truncated(needed: Int, available: Int)
        /// The field holds a value the protocol does not allow.
        case invalidValue(String)
        /// A value is too large to encode (e.g. an option over 255 bytes where splitting is not allowed).
        case tooLong(Int)
    }

    public var offset: Int
    public var field: String
    public var reason: Reason

    public init(offset: Int, field: String, reason: Reason) {
        self.offset = offset
        self.field = field
        self.reason = reason
    }

    public static func truncated(_ field: String, at offset: Int, needed: Int, available: Int) -> WireError {
        WireError(offset: offset, field: field, reason: .truncated(needed: needed, available: available))
    }

    public static func invalid(_ field: String, at offset: Int, _ why: String) -> WireError {
        WireError(offset: offset, field: field, reason: .invalidValue(why))
    }

    public var description: String {
        switch reason {
        case .truncated(let needed, let available):
            return "\(field) at offset \(offset): truncated (needs \(needed) bytes, \(available) left)"
        case .invalidValue(let why):
            return "\(field) at offset \(offset): \(why)"
        case .tooLong(let length):
            return "\(field) at offset \(offset): too long (\(length) bytes)"
        }
    }
}

// MARK: Values that travel as their text form in JSON

extension Decoder {
    /// Decodes a string and parses it with `parse`, failing with "not <what>: <text>".
    public func decodeText<Value>(_ what: String, _ parse: (String) -> Value?) throws -> Value {
        let text = try singleValueContainer().decode(String.self)
        guard let value = parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "not \(what): \(text)"))
        }
        return value
    }
}

extension Encoder {
    public func encodeText(_ text: String) throws {
        var container = singleValueContainer()
        try container.encode(text)
    }
}
