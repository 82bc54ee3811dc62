import Dashboard

/// Maps a `ResolvedColor` to the colour number curses is given at a depth. The renderer
/// resolves themes for the terminal's depth already; this only makes sure no number is sent
/// that the terminal would misread, and never changes the palette (`init_color` is not used).
enum TerminalPalette {
    /// -1 is the terminal's own colour (`use_default_colors`).
    static func number(for color: ResolvedColor, depth: ColorDepth) -> Int32 {
        switch (color, depth) {
        case (.terminalDefault, _), (_, .mono): return -1
        case (.index(let n), _) where n < 0 || n > 255: return -1
        // Direct-colour terminfo (xterm-direct) reads numbers below 8 as the ANSI colours and
        // everything else as 0xRRGGBB, so palette entries above 7 are sent as their RGB value.
        case (.index(let n), .truecolor): return n < 8 ? Int32(n) : direct(rgb(ofIndex: n))
        case (.index(let n), .colors256): return Int32(n)
        case (.index(let n), .colors8): return n < 16 ? Int32(n % 8) : ansi8(rgb(ofIndex: n))
        case (.direct(let value), .truecolor): return direct(value)
        case (.direct(let value), .colors256): return index256(value & 0xFF_FFFF)
        case (.direct(let value), .colors8): return ansi8(value & 0xFF_FFFF)
        }
    }

    /// A direct colour as its number; the darkest blues (0x000000–0x000007) move to 0x000008.
    private static func direct(_ value: UInt32) -> Int32 { Int32(max(8, value & 0xFF_FFFF)) }

    private static let cubeLevels: [UInt32] = [0, 95, 135, 175, 215, 255]
    private static let brightANSI: [UInt32] = [
        0x7F7F7F, 0xFF0000, 0x00FF00, 0xFFFF00, 0x5C5CFF, 0xFF00FF, 0x00FFFF, 0xFFFFFF,
    ]

    /// xterm's default RGB for palette entries 8–255 (16–231 the 6×6×6 cube, 232–255 greys).
    static func rgb(ofIndex n: Int) -> UInt32 {
        switch n {
        case 8..<16: return brightANSI[n - 8]
        case 16..<232:
            let c = n - 16
            return cubeLevels[c / 36] << 16 | cubeLevels[c / 6 % 6] << 8 | cubeLevels[c % 6]
        default:
            let grey = UInt32(8 + 10 * (max(232, n) - 232))
            return grey << 16 | grey << 8 | grey
        }
    }

    /// The nearest xterm-256 entry (cube or grey ramp) to 0xRRGGBB.
    static func index256(_ value: UInt32) -> Int32 {
        let channels = [value >> 16 & 0xFF, value >> 8 & 0xFF, value & 0xFF].map(Int.init)
        let levels = cubeLevels.map(Int.init)
        let nearestLevel = { (c: Int) in levels.indices.min { abs(levels[$0] - c) < abs(levels[$1] - c) } ?? 0 }
        let cube = channels.map(nearestLevel)
        let cubeColor = cube.map { levels[$0] }
        let average = channels.reduce(0, +) / 3
        let greyStep = min(23, max(0, (average - 3) / 10))
        let grey = 8 + 10 * greyStep
        let distance = { (candidate: [Int]) in zip(candidate, channels).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        if distance([grey, grey, grey]) < distance(cubeColor) { return Int32(232 + greyStep) }
        return Int32(16 + 36 * cube[0] + 6 * cube[1] + cube[2])
    }

    /// One of the 8 ANSI colours: a channel above half is on (1 red, 2 green, 4 blue).
    static func ansi8(_ value: UInt32) -> Int32 {
        Int32((value >> 16 & 0xFF > 127 ? 1 : 0) | (value >> 8 & 0xFF > 127 ? 2 : 0) | (value & 0xFF > 127 ? 4 : 0))
    }
}

/// Colour pairs handed out lazily, one per distinct (foreground, background) colour number, and
/// kept for the life of the screen. Pair 0 is the terminal's default on default. When curses
/// runs out of pairs, further combinations fall back to pair 0 (the text stays readable).
struct ColorPairCache {
    /// How many pairs curses has (`COLOR_PAIRS`); pairs 1..<capacity are handed out.
    let capacity: Int
    private var pairs: [Colors: Int32] = [:]
    private var next: Int32 = 1

    private struct Colors: Hashable {
        var foreground: Int32
        var background: Int32
    }

    init(capacity: Int) { self.capacity = capacity }

    /// The pair for these colour numbers; `initialize(pair, fg, bg)` (curses'
    /// `init_extended_pair`) is called once, the first time a combination is seen, and a pair
    /// it refuses (false) is not used.
    mutating func pair(foreground: Int32, background: Int32, initialize: (Int32, Int32, Int32) -> Bool) -> Int32 {
        if foreground == -1, background == -1 { return 0 }
        let key = Colors(foreground: foreground, background: background)
        if let known = pairs[key] { return known }
        var assigned: Int32 = 0
        if Int(next) < capacity, initialize(next, foreground, background) {
            assigned = next
            next += 1
        }
        pairs[key] = assigned
        return assigned
    }

    /// Pairs handed out so far (not counting pair 0).
    var allocated: Int { Int(next) - 1 }
}
