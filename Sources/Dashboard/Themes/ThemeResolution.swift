/// Maps a theme onto what a terminal can show, without touching its palette: truecolor keeps
/// `#rrggbb` as direct colour; 256 colours take the nearest xterm cube or grey entry; 8
/// colours take the nearest ANSI colour (bright ones become the plain colour plus bold);
/// mono drops colour and keeps attributes, with `selected` always reversed. At any depth a
/// `selected` that would look like `normal` is reversed.
public enum ThemeResolver {
    public static func resolve(_ theme: Theme, depth: ColorDepth) -> [ColorRole: ResolvedStyle] {
        var resolved: [ColorRole: ResolvedStyle] = [:]
        for role in ColorRole.allCases {
            var style = resolve(theme.style(role), depth: depth)
            if depth == .mono && role == .selected { style.reverse = true }
            resolved[role] = style
        }
        // Colours that differ in the theme can meet at a lower depth: keep the cursor visible.
        if resolved[.selected] == resolved[.normal] { resolved[.selected]?.reverse.toggle() }
        return resolved
    }

    public static func resolve(_ style: ThemeStyle, depth: ColorDepth) -> ResolvedStyle {
        var out = ResolvedStyle(
            foreground: .terminalDefault, background: .terminalDefault, bold: style.bold, underline: style.underline,
            reverse: style.reverse)
        guard depth != .mono else { return out }
        let (foreground, brightForeground) = resolve(style.foreground, depth: depth)
        let (background, _) = resolve(style.background, depth: depth)
        out.foreground = foreground
        out.background = background
        if brightForeground { out.bold = true }
        return out
    }

    /// The colour for `depth`, and whether it needs bold to look bright (8 colours only).
    public static func resolve(_ color: ThemeColor, depth: ColorDepth) -> (ResolvedColor, bright: Bool) {
        switch (color, depth) {
        case (.terminalDefault, _), (_, .mono):
            return (.terminalDefault, false)
        case (.indexed(let index), .truecolor), (.indexed(let index), .colors256):
            return (.index(Int(index)), false)
        case (.rgb(let r, let g, let b), .truecolor):
            return (.direct(UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b)), false)
        case (.rgb(let r, let g, let b), .colors256):
            return (.index(nearest256(r, g, b)), false)
        case (.indexed(let index), .colors8):
            if index < 16 { return index < 8 ? (.index(Int(index)), false) : (.index(Int(index) - 8), true) }
            let (r, g, b) = rgb(ofIndex: Int(index))
            return eight(nearestANSI(r, g, b))
        case (.rgb(let r, let g, let b), .colors8):
            return eight(nearestANSI(r, g, b))
        }
    }

    private static func eight(_ ansi: Int) -> (ResolvedColor, bright: Bool) {
        ansi < 8 ? (.index(ansi), false) : (.index(ansi - 8), true)
    }

    /// The xterm-256 index nearest to an RGB colour: the 6×6×6 cube (16–231) or the grey
    /// ramp (232–255), whichever is closer.
    public static func nearest256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        func cubeStep(_ value: UInt8) -> Int {
            let v = Int(value)
            return v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40
        }
        let (cr, cg, cb) = (cubeStep(r), cubeStep(g), cubeStep(b))
        let cubeIndex = 16 + 36 * cr + 6 * cg + cb
        let average = (Int(r) + Int(g) + Int(b)) / 3
        let greyStep = average > 238 ? 23 : max(0, (average - 3) / 10)
        let greyIndex = 232 + greyStep
        let cubeDistance = distance(rgb(ofIndex: cubeIndex), (r, g, b))
        let greyDistance = distance(rgb(ofIndex: greyIndex), (r, g, b))
        return greyDistance < cubeDistance ? greyIndex : cubeIndex
    }

    /// The nearest of the 16 ANSI colours (xterm's default values), 0–15.
    public static func nearestANSI(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        (0..<16).min { distance(rgb(ofIndex: $0), (r, g, b)) < distance(rgb(ofIndex: $1), (r, g, b)) }!
    }

    /// xterm's RGB value for a palette index.
    public static func rgb(ofIndex index: Int) -> (UInt8, UInt8, UInt8) {
        let ansi: [(UInt8, UInt8, UInt8)] = [
            (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
            (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255),
            (0, 255, 255), (255, 255, 255),
        ]
        switch index {
        case 0..<16:
            return ansi[index]
        case 16..<232:
            let levels: [UInt8] = [0, 95, 135, 175, 215, 255]
            let n = index - 16
            return (levels[n / 36], levels[n / 6 % 6], levels[n % 6])
        default:
            let grey = UInt8(8 + 10 * (min(255, max(232, index)) - 232))
            return (grey, grey, grey)
        }
    }

    private static func distance(_ a: (UInt8, UInt8, UInt8), _ b: (UInt8, UInt8, UInt8)) -> Int {
        let dr = Int(a.0) - Int(b.0)
        let dg = Int(a.1) - Int(b.1)
        let db = Int(a.2) - Int(b.2)
        return dr * dr + dg * dg + db * db
    }
}

extension Theme {
    /// This theme's styles for a terminal of `depth`.
    public func resolved(for depth: ColorDepth) -> [ColorRole: ResolvedStyle] { ThemeResolver.resolve(self, depth: depth) }
}

/// `resolve(theme, depth:)` as a free function, as the painter calls it.
public func resolve(_ theme: Theme, depth: ColorDepth) -> [ColorRole: ResolvedStyle] {
    ThemeResolver.resolve(theme, depth: depth)
}
