import CNCurses
import Dashboard

/// Turns what `wget_wch` returned into a `Key`: `OK` with a character, or `KEY_CODE_YES` with a
/// curses key code. Pure, so the table is tested without a terminal.
enum KeyDecoder {
    /// `status` is `wget_wch`'s result, `code` the value it stored. Nil for timeouts (`ERR`)
    /// and for codes the dashboard has no use for.
    static func decode(status: Int32, code: UInt32) -> Key? {
        switch status {
        case OK: character(code)
        case KEY_CODE_YES: functionKey(Int32(bitPattern: code))
        default: nil
        }
    }

    /// A character `wget_wch` returned as `OK`: control characters become keys.
    static func character(_ code: UInt32) -> Key? {
        switch code {
        case 13, 10: return .enter
        case 27: return .escape
        case 127, 8: return .backspace
        case 9: return .tab
        case 1...26: return .control(Character(Unicode.Scalar(UInt8(code) + 0x60)))
        case 0..<32, 0x80..<0xA0: return nil
        default:
            guard let scalar = Unicode.Scalar(code) else { return nil }
            return .character(Character(scalar))
        }
    }

    /// A curses key code (`KEY_UP`, `KEY_F0 + n`, `KEY_RESIZE`, …).
    static func functionKey(_ code: Int32) -> Key? {
        let f0 = lessor_key_f0()
        if code > f0, code <= f0 + 63 { return .function(Int(code - f0)) }
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        // vt220-style keypads send Find/Select for Home/End.
        case KEY_HOME, KEY_FIND: return .home
        case KEY_END, KEY_SELECT: return .end
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_RESIZE: return .resize
        default: return nil
        }
    }
}
