/// A key (or terminal event) as the reducer sees it; the terminal layer decodes curses codes
/// into these.
public enum Key: Sendable, Equatable, Hashable {
    case character(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, backspace, tab, backTab, delete
    /// Ctrl plus a letter (`.control("l")`).
    case control(Character)
    case function(Int)
    /// The terminal was resized (curses reports SIGWINCH as KEY_RESIZE).
    case resize
}
