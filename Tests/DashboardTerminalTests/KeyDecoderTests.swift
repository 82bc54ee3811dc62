import CNCurses
import Dashboard
@testable import DashboardTerminal
import Testing

@Suite struct KeyDecoderTests {
    private static func typed(_ code: UInt32) -> Key? { KeyDecoder.decode(status: OK, code: code) }
    private static func special(_ code: Int32) -> Key? { KeyDecoder.decode(status: KEY_CODE_YES, code: UInt32(code)) }

    @Test func printableCharactersIncludingNonASCII() {
        #expect(Self.typed(0x71) == .character("q"))
        #expect(Self.typed(0x2F) == .character("/"))
        #expect(Self.typed(0x20) == .character(" "))
        #expect(Self.typed(0xE9) == .character("é"))
        #expect(Self.typed(0x1F600) == .character("😀"))
    }

    @Test(arguments: [(UInt32(13), Key.enter), (10, .enter), (27, .escape), (127, .backspace), (8, .backspace), (9, .tab)])
    func controlCharactersWithAMeaning(code: UInt32, key: Key) {
        #expect(Self.typed(code) == key)
    }

    @Test func ctrlLettersAreControlKeys() {
        #expect(Self.typed(1) == .control("a"))
        #expect(Self.typed(12) == .control("l"))
        #expect(Self.typed(26) == .control("z"))
        // Ctrl-H, Ctrl-I, Ctrl-J and Ctrl-M are Backspace, Tab and Enter: terminals send the same bytes.
        #expect(Self.typed(8) == .backspace)
    }

    @Test func otherControlCodesAndTimeoutsAreIgnored() {
        #expect(Self.typed(0) == nil)
        #expect(Self.typed(28) == nil)
        #expect(Self.typed(0x9B) == nil)
        #expect(KeyDecoder.decode(status: ERR, code: 0x71) == nil)
        #expect(Self.special(KEY_MOUSE) == nil)
    }

    @Test(arguments: [
        (KEY_UP, Key.up), (KEY_DOWN, .down), (KEY_LEFT, .left), (KEY_RIGHT, .right),
        (KEY_PPAGE, .pageUp), (KEY_NPAGE, .pageDown), (KEY_HOME, .home), (KEY_END, .end), (KEY_FIND, .home),
        (KEY_SELECT, .end), (KEY_ENTER, .enter), (KEY_BACKSPACE, .backspace), (KEY_DC, .delete), (KEY_BTAB, .backTab),
        (KEY_RESIZE, .resize),
    ])
    func cursesKeyCodes(code: Int32, key: Key) {
        #expect(Self.special(code) == key)
    }

    @Test func functionKeys() {
        let f0 = lessor_key_f0()
        #expect(Self.special(f0 + 1) == .function(1))
        #expect(Self.special(f0 + 12) == .function(12))
        #expect(Self.special(f0 + 63) == .function(63))
        #expect(Self.special(f0) == nil)
    }
}
