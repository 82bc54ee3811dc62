public import Dashboard

/// What the terminal can show, decided once at start: the colour depth the dashboard's theme is
/// resolved to, and whether the locale can carry Unicode box and bar characters.
public struct TerminalCapabilities: Sendable, Equatable {
    public var colorDepth: ColorDepth
    /// The locale's character set is UTF-8 (after `setlocale(LC_ALL, "")`): Unicode cells are
    /// painted as they are; otherwise every non-ASCII cell is painted as `?`.
    public var unicode: Bool

    public init(colorDepth: ColorDepth, unicode: Bool) {
        self.colorDepth = colorDepth
        self.unicode = unicode
    }

    /// The decision, apart from the terminal so tests can make it.
    /// - Parameters:
    ///   - environment: the process environment (`NO_COLOR` is read).
    ///   - hasColors: curses' `has_colors()`.
    ///   - colors: curses' `COLORS` after `start_color()` (terminfo `colors`).
    ///   - directColor: terminfo says colour numbers are 0xRRGGBB (the `RGB` capability).
    ///   - codeset: `nl_langinfo(CODESET)` after `setlocale(LC_ALL, "")`.
    public static func decide(
        environment: [String: String], hasColors: Bool, colors: Int, directColor: Bool, codeset: String
    ) -> TerminalCapabilities {
        TerminalCapabilities(
            colorDepth: colorDepth(environment: environment, hasColors: hasColors, colors: colors, directColor: directColor),
            unicode: isUTF8(codeset: codeset))
    }

    /// Truecolor needs a terminfo entry that takes direct colours (`COLORS` of 2^24, e.g.
    /// `xterm-direct`): curses can only send what terminfo describes, so `COLORTERM=truecolor`
    /// on a 256-colour entry still gets 256 colours (see `colortermWantsTruecolor`).
    /// `NO_COLOR` (any non-empty value) means mono.
    static func colorDepth(environment: [String: String], hasColors: Bool, colors: Int, directColor: Bool) -> ColorDepth {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return .mono }
        guard hasColors, colors >= 8 else { return .mono }
        if colors >= 1 << 24 || (directColor && colors > 256) { return .truecolor }
        if colors >= 256 { return .colors256 }
        return .colors8
    }

    /// `COLORTERM` asks for 24-bit colour (`truecolor` or `24bit`): worth a hint ("try
    /// TERM=xterm-direct") when the terminfo entry cannot deliver it.
    public static func colortermWantsTruecolor(_ environment: [String: String]) -> Bool {
        let value = environment["COLORTERM"]?.lowercased() ?? ""
        return value == "truecolor" || value == "24bit"
    }

    static func isUTF8(codeset: String) -> Bool {
        codeset.lowercased().filter { $0 != "-" && $0 != "_" } == "utf8"
    }
}
