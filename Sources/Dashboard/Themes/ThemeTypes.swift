/// A colour as a theme file writes it. `terminalDefault` is the terminal's own foreground or
/// background (never repainted); named colours are the 16 ANSI ones; `indexed` is the 256-colour
/// palette; `rgb` is #rrggbb. Nothing here changes the terminal's palette (`init_color` is never
/// used): colours are mapped to the nearest one the terminal has.
public enum ThemeColor: Sendable, Equatable, Hashable {
    case terminalDefault
    case indexed(UInt8)
    case rgb(UInt8, UInt8, UInt8)
}

/// Foreground, background and attributes of one role.
public struct ThemeStyle: Sendable, Equatable, Hashable {
    public var foreground: ThemeColor
    public var background: ThemeColor
    public var bold: Bool
    public var underline: Bool
    public var reverse: Bool

    public init(
        foreground: ThemeColor = .terminalDefault, background: ThemeColor = .terminalDefault, bold: Bool = false,
        underline: Bool = false, reverse: Bool = false
    ) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.underline = underline
        self.reverse = reverse
    }
}

/// How many colours the terminal shows, best first; chosen from the terminal at start.
public enum ColorDepth: String, Sendable, CaseIterable {
    case truecolor, colors256 = "256", colors8 = "8", mono
}

/// A colour as the terminal will be asked for it, after mapping to its depth.
public enum ResolvedColor: Sendable, Equatable, Hashable {
    case terminalDefault
    /// A palette index valid for the depth (0–7, 0–255).
    case index(Int)
    /// Direct colour (truecolor terminals only), 0xRRGGBB.
    case direct(UInt32)
}

/// A theme mapped to one terminal: what the painter needs per role. In mono every style is
/// default-on-default and meaning is carried by attributes (bold, underline, reverse).
public struct ResolvedStyle: Sendable, Equatable, Hashable {
    public var foreground: ResolvedColor
    public var background: ResolvedColor
    public var bold: Bool
    public var underline: Bool
    public var reverse: Bool

    public init(foreground: ResolvedColor, background: ResolvedColor, bold: Bool, underline: Bool, reverse: Bool) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.underline = underline
        self.reverse = reverse
    }
}
