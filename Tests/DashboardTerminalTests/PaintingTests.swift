import Dashboard
@testable import DashboardTerminal
import Testing

@Suite struct ColorPairCacheTests {
    /// Records what would have been asked of curses' init_extended_pair.
    private final class CursesDouble {
        var initialized: [(Int32, Int32, Int32)] = []
        var refuse = false
        func initialize(_ pair: Int32, _ foreground: Int32, _ background: Int32) -> Bool {
            if refuse { return false }
            initialized.append((pair, foreground, background))
            return true
        }
    }

    @Test func defaultOnDefaultIsPairZeroAndNeedsNoInit() {
        var cache = ColorPairCache(capacity: 256)
        let curses = CursesDouble()
        #expect(cache.pair(foreground: -1, background: -1, initialize: curses.initialize) == 0)
        #expect(curses.initialized.isEmpty)
    }

    @Test func eachDistinctPairIsInitialisedOnceAndCached() {
        var cache = ColorPairCache(capacity: 256)
        let curses = CursesDouble()
        let red = cache.pair(foreground: 1, background: -1, initialize: curses.initialize)
        let green = cache.pair(foreground: 2, background: -1, initialize: curses.initialize)
        let truecolor = cache.pair(foreground: 0xFF3030, background: 0x101010, initialize: curses.initialize)
        #expect(cache.pair(foreground: 1, background: -1, initialize: curses.initialize) == red)
        #expect(cache.pair(foreground: 0xFF3030, background: 0x101010, initialize: curses.initialize) == truecolor)
        #expect([red, green, truecolor] == [1, 2, 3])
        #expect(curses.initialized.map(\.0) == [1, 2, 3])
        #expect(curses.initialized.last.map { [$0.1, $0.2] } == [0xFF3030, 0x101010])
        #expect(cache.allocated == 3)
    }

    @Test func runningOutOfPairsFallsBackToTheDefaultPair() {
        var cache = ColorPairCache(capacity: 3)  // pairs 1 and 2 only
        let curses = CursesDouble()
        #expect(cache.pair(foreground: 1, background: -1, initialize: curses.initialize) == 1)
        #expect(cache.pair(foreground: 2, background: -1, initialize: curses.initialize) == 2)
        #expect(cache.pair(foreground: 3, background: -1, initialize: curses.initialize) == 0)
        #expect(curses.initialized.count == 2)
    }

    @Test func aPairCursesRefusesIsNotUsed() {
        var cache = ColorPairCache(capacity: 16)
        let curses = CursesDouble()
        curses.refuse = true
        #expect(cache.pair(foreground: 4, background: 0, initialize: curses.initialize) == 0)
        curses.refuse = false
        #expect(cache.pair(foreground: 5, background: 0, initialize: curses.initialize) == 1)
    }
}

@Suite struct TerminalPaletteTests {
    @Test func theTerminalsOwnColourIsMinusOne() {
        for depth in ColorDepth.allCases {
            #expect(TerminalPalette.number(for: .terminalDefault, depth: depth) == -1)
        }
        #expect(TerminalPalette.number(for: .index(1), depth: .mono) == -1)
        #expect(TerminalPalette.number(for: .direct(0xFF0000), depth: .mono) == -1)
    }

    @Test func directColoursAreSentAsRGBOnATruecolorTerminal() {
        #expect(TerminalPalette.number(for: .direct(0xFF3030), depth: .truecolor) == 0xFF3030)
        // Below 8 a direct-colour terminfo means the ANSI colours: nudge to the nearest RGB.
        #expect(TerminalPalette.number(for: .direct(0x000000), depth: .truecolor) == 8)
        // Palette entries keep their look: ANSI ones as they are, the rest as xterm's RGB.
        #expect(TerminalPalette.number(for: .index(3), depth: .truecolor) == 3)
        #expect(TerminalPalette.number(for: .index(196), depth: .truecolor) == 0xFF0000)
        #expect(TerminalPalette.number(for: .index(244), depth: .truecolor) == 0x808080)
        #expect(TerminalPalette.number(for: .index(9), depth: .truecolor) == 0xFF0000)
    }

    @Test func smallerPalettesGetTheNearestEntry() {
        #expect(TerminalPalette.number(for: .index(220), depth: .colors256) == 220)
        #expect(TerminalPalette.number(for: .direct(0xFF0000), depth: .colors256) == 196)
        #expect(TerminalPalette.number(for: .direct(0x808080), depth: .colors256) == 244)
        #expect(TerminalPalette.number(for: .direct(0x00AFFF), depth: .colors256) == 39)
        #expect(TerminalPalette.number(for: .direct(0xFFD700), depth: .colors8) == 3)
        #expect(TerminalPalette.number(for: .index(12), depth: .colors8) == 4)
        #expect(TerminalPalette.number(for: .index(196), depth: .colors8) == 1)
        #expect(TerminalPalette.number(for: .index(300), depth: .colors256) == -1)
    }
}

@Suite struct RepaintTests {
    private func grid(_ lines: [String], width: Int = 4) -> CellGrid {
        var grid = CellGrid(width: width, height: lines.count)
        for (y, line) in lines.enumerated() { grid.put(line, x: 0, y: y, role: .normal) }
        return grid
    }

    @Test func theFirstFrameAndANewSizeArePaintedWhole() {
        #expect(Repaint.between(nil, grid(["ab", "cd"])) == .full)
        #expect(Repaint.between(grid(["ab", "cd"]), grid(["ab", "cd"], width: 5)) == .full)
        #expect(Repaint.between(grid(["ab", "cd"]), grid(["ab", "cd", "ef"])) == .full)
    }

    @Test func onlyChangedCellsAreRepainted() {
        let before = grid(["abcd", "efgh"])
        #expect(Repaint.between(before, before) == .cells([]))
        #expect(Repaint.between(before, grid(["abXd", "efgY"])) == .cells([2, 7]))
        var recoloured = before
        recoloured.paint(x: 1, y: 1, width: 2, role: .warn)
        #expect(Repaint.between(before, recoloured) == .cells([5, 6]))
    }
}

@Suite struct CellGlyphTests {
    /// Column widths as a UTF-8 locale's wcwidth gives them, for the characters used here.
    private func width(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0x0301: 0  // combining acute accent
        case 0x4E00, 0x1F600: 2  // CJK, emoji
        case 0..<0x20: -1
        default: 1
        }
    }

    @Test func unicodeCellsPassInAUTF8Locale() {
        #expect(CellGlyph.scalars(for: "│", unicode: true, width: width) == ["│"])
        #expect(CellGlyph.scalars(for: "█", unicode: true, width: width) == ["█"])
        #expect(CellGlyph.scalars(for: "e\u{301}", unicode: true, width: width) == ["e", "\u{301}"])
    }

    @Test func wideAndControlCharactersBecomeAQuestionMark() {
        #expect(CellGlyph.scalars(for: "一", unicode: true, width: width) == ["?"])
        #expect(CellGlyph.scalars(for: "😀", unicode: true, width: width) == ["?"])
        #expect(CellGlyph.scalars(for: "\t", unicode: true, width: width) == ["?"])
    }

    @Test func outsideUTF8OnlyPrintableASCIIPasses() {
        #expect(CellGlyph.scalars(for: "a", unicode: false, width: width) == ["a"])
        #expect(CellGlyph.scalars(for: "~", unicode: false, width: width) == ["~"])
        #expect(CellGlyph.scalars(for: "│", unicode: false, width: width) == ["?"])
        #expect(CellGlyph.scalars(for: "é", unicode: false, width: width) == ["?"])
        #expect(CellGlyph.scalars(for: "\u{7F}", unicode: false, width: width) == ["?"])
    }
}
