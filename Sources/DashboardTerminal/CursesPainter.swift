import CNCurses
import Dashboard

#if canImport(Glibc)
import Glibc
#endif

/// Paints cell grids on `stdscr`. Confined to the curses thread (it is neither Sendable nor
/// locked): `TerminalScreen` creates it there after `newterm` and drops it before `endwin`.
final class CursesPainter {
    private let window: UnsafeMutablePointer<WINDOW>
    private let capabilities: TerminalCapabilities
    /// `use_default_colors` worked: -1 is the terminal's own colour. Otherwise white on black.
    private let defaultColors: Bool
    private var pairs: ColorPairCache
    private var looks: [ColorRole: Look] = [:]
    private var lastGrid: CellGrid?
    private var lastStyles: [ColorRole: ResolvedStyle]?
    private var lastScreen = (width: -1, height: -1)

    /// Attributes and colour pair of one role.
    private struct Look {
        var attributes: attr_t
        var pair: Int32
    }

    init(window: UnsafeMutablePointer<WINDOW>, capabilities: TerminalCapabilities, defaultColors: Bool) {
        self.window = window
        self.capabilities = capabilities
        self.defaultColors = defaultColors
        pairs = ColorPairCache(capacity: capabilities.colorDepth == .mono ? 0 : Int(lessor_color_pairs()))
    }

    /// Forgets what is on the screen, so the next frame is painted whole (after a resize or a
    /// redraw request). `clearScreen` also makes curses rewrite the terminal from scratch.
    func invalidate(clearScreen: Bool) {
        lastGrid = nil
        if clearScreen { clearok(lessor_curscr(), true) }
    }

    /// Paints `grid`: every cell when the size or the styles changed, else only changed cells;
    /// then one `doupdate`. Cells beyond the screen are clipped.
    func paint(_ grid: CellGrid, styles: [ColorRole: ResolvedStyle]) {
        let screen = (width: Int(lessor_cols()), height: Int(lessor_lines()))
        if styles != lastStyles {
            looks = [:]
            lastGrid = nil
        }
        if screen != lastScreen { lastGrid = nil }
        switch Repaint.between(lastGrid, grid) {
        case .full:
            werase(window)
            for index in grid.cells.indices { put(grid, index, screen: screen, styles: styles) }
        case .cells(let changed):
            for index in changed { put(grid, index, screen: screen, styles: styles) }
        }
        wnoutrefresh(window)
        doupdate()
        lastGrid = grid
        lastStyles = styles
        lastScreen = screen
    }

    private func put(_ grid: CellGrid, _ index: Int, screen: (width: Int, height: Int), styles: [ColorRole: ResolvedStyle]) {
        let x = index % grid.width, y = index / grid.width
        guard x < screen.width, y < screen.height else { return }
        let cell = grid.cells[index]
        let look = look(for: cell.role, styles: styles)
        var wide = CellGlyph.scalars(for: cell.character, unicode: capabilities.unicode) { Int(lessor_wcwidth($0.value)) }
            .map { wchar_t(bitPattern: $0.value) }
        wide.append(0)
        var complex = cchar_t()
        var pair = look.pair
        _ = withUnsafeMutablePointer(to: &pair) { setcchar(&complex, wide, look.attributes, 0, UnsafeRawPointer($0)) }
        // Adding a character at the bottom-right corner would move the cursor past the end of
        // the screen (and scroll it on some terminals); inserting there does not move it.
        if x == screen.width - 1, y == screen.height - 1 {
            mvwins_wch(window, Int32(y), Int32(x), &complex)
        } else {
            mvwadd_wch(window, Int32(y), Int32(x), &complex)
        }
    }

    private func look(for role: ColorRole, styles: [ColorRole: ResolvedStyle]) -> Look {
        if let known = looks[role] { return known }
        var look = Look(attributes: lessor_a_normal(), pair: 0)
        if let style = styles[role] {
            if style.bold { look.attributes |= lessor_a_bold() }
            if style.underline { look.attributes |= lessor_a_underline() }
            if style.reverse { look.attributes |= lessor_a_reverse() }
            look.pair = pair(style)
        }
        looks[role] = look
        return look
    }

    private func pair(_ style: ResolvedStyle) -> Int32 {
        let depth = capabilities.colorDepth
        guard depth != .mono else { return 0 }
        var foreground = TerminalPalette.number(for: style.foreground, depth: depth)
        var background = TerminalPalette.number(for: style.background, depth: depth)
        if !defaultColors {
            if foreground == -1 { foreground = 7 }
            if background == -1 { background = 0 }
        }
        return pairs.pair(foreground: foreground, background: background) { pair, fg, bg in
            init_extended_pair(pair, fg, bg) != ERR
        }
    }
}
