/// One DHCPv4 option (or relay agent sub-option): its code and its whole value.
///
/// A value that arrived split over several instances (RFC 3396) is held concatenated. The option also remembers
/// where its bytes were in the packet it was parsed from, so a decoding error can name the byte as captured; that
/// memory is not part of its value (equality and hashing ignore it) and is forgotten when the value changes.
public struct DHCPv4Option: Hashable, Sendable {
    public var code: UInt8
    public var data: [UInt8] { didSet { origin = nil } }
    var origin: Origin?

    public init(code: UInt8, data: [UInt8]) {
        self.code = code
        self.data = data
    }

    init(code: UInt8, data: [UInt8], origin: Origin?) {
        self.code = code
        self.data = data
        self.origin = origin
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code && lhs.data == rhs.data }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(data)
    }

    /// Writes the option as consecutive instances of at most 255 bytes each (RFC 3396 §6); an empty value is one
    /// instance of length zero.
    func write(to writer: inout WireWriter) {
        var rest = data[...]
        repeat {
            let piece = rest.prefix(255)
            writer.write(code)
            writer.write(UInt8(piece.count))
            writer.write(bytes: piece)
            rest = rest.dropFirst(piece.count)
        } while !rest.isEmpty
    }

    /// Bytes `write(to:)` produces.
    var wireLength: Int { data.count + 2 * max(1, (data.count + 254) / 255) }

    /// Maps indexes in an option's value to absolute offsets in the packet: one piece per wire instance.
    struct Origin: Sendable {
        private struct Piece: Sendable {
            var valueIndex: Int
            var offset: Int
        }

        private var start: Int
        private var more: [Piece] = []

        /// A value whose byte 0 was at `offset`.
        init(offset: Int) { start = offset }

        /// Records that the value's bytes from `valueIndex` on came from `offset` (a later instance).
        mutating func append(valueIndex: Int, offset: Int) {
            more.append(Piece(valueIndex: valueIndex, offset: offset))
        }

        /// Where byte `valueIndex` of the value was (an index at the very end maps just past the last piece).
        func offset(of valueIndex: Int) -> Int {
            var result = start + valueIndex
            for piece in more where piece.valueIndex <= valueIndex {
                result = piece.offset + (valueIndex - piece.valueIndex)
            }
            return result
        }

        /// The origin of the bytes from `valueIndex` on, for a value nested inside this one (a sub-option).
        func suffix(from valueIndex: Int) -> Origin {
            var nested = Origin(offset: offset(of: valueIndex))
            for piece in more where piece.valueIndex > valueIndex {
                nested.append(valueIndex: piece.valueIndex - valueIndex, offset: piece.offset)
            }
            return nested
        }
    }
}
