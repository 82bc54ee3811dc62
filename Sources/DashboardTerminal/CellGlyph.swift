/// The characters one cell is painted with: a one-column character, optionally followed by
/// combining marks (curses keeps up to 4 with it). Anything the terminal cannot show in one
/// column — a control character, a wide character, non-ASCII outside a UTF-8 locale — is `?`.
enum CellGlyph {
    static let replacement: Unicode.Scalar = "?"
    /// curses' `CCHARW_MAX`: a spacing character and up to four combining ones.
    static let maximumScalars = 5

    /// `width` is the locale's column count for a scalar (`wcwidth`).
    static func scalars(for character: Character, unicode: Bool, width: (Unicode.Scalar) -> Int) -> [Unicode.Scalar] {
        let scalars = Array(character.unicodeScalars)
        guard let first = scalars.first, scalars.count <= maximumScalars else { return [replacement] }
        if !unicode {
            return scalars.count == 1 && first.value >= 0x20 && first.value < 0x7F ? [first] : [replacement]
        }
        guard width(first) == 1, scalars.dropFirst().allSatisfy({ width($0) == 0 }) else { return [replacement] }
        return scalars
    }
}
