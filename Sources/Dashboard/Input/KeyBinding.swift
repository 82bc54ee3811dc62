import Foundation

/// What a key does. The reducer switches on these; the key table maps keys to them.
public enum DashboardAction: Sendable, Equatable {
    case quit, toggleHelp, back
    case up, down, pageUp, pageDown, top, bottom
    case sortNext, sortReverse, sortByNumber
    case startFilter, openDetail
    case release, forceRelease, extend
    case pause, cycleTheme
    case confirm, cancel
    case submit, deleteCharacter, typeCharacter
}

/// One row of the key table: the single source for dispatch, the `?` overlay and the README.
public struct KeyBinding: Sendable {
    public var keys: [Key]
    /// How the keys are written for people (`↑/k`, `PgUp`).
    public var label: String
    public var description: String
    public var modes: Set<ModeKind>
    /// Whether the action changes leases on the server (greyed out with `--readonly`).
    public var changesLeases: Bool
    /// Taken for any key the mode has no other binding for (confirm: cancel; inputs: typing).
    public var isFallback: Bool
    public var action: DashboardAction
    /// The word the table view's footer shows for it (nil: not in the footer).
    public var footer: String?

    public init(
        _ keys: [Key], _ label: String, _ description: String, modes: Set<ModeKind>, changesLeases: Bool = false,
        isFallback: Bool = false, footer: String? = nil, action: DashboardAction
    ) {
        self.footer = footer
        self.keys = keys
        self.label = label
        self.description = description
        self.modes = modes
        self.changesLeases = changesLeases
        self.isFallback = isFallback
        self.action = action
    }
}

extension KeyBinding {
    private static let browsing: Set<ModeKind> = [.table, .detail]
    private static func characters(_ text: String) -> [Key] { text.map { Key.character($0) } }

    /// Every key of `lessor top`.
    public static let table: [KeyBinding] = [
        KeyBinding([.character("q")], "q", "quit", modes: [.table, .detail, .help], footer: "quit", action: .quit),
        KeyBinding([.character("?"), .function(1)], "?", "help: this list of keys", modes: [.table, .detail, .help],
                   footer: "help", action: .toggleHelp),
        KeyBinding([.escape], "Esc", "back to the table", modes: [.detail, .help], action: .back),
        KeyBinding([.enter], "Enter", "details of the selected lease (Enter again: back)", modes: browsing,
                   footer: "detail", action: .openDetail),
        KeyBinding([.up, .character("k")], "↑/k", "previous lease", modes: browsing, action: .up),
        KeyBinding([.down, .character("j")], "↓/j", "next lease", modes: browsing, action: .down),
        KeyBinding([.pageUp], "PgUp", "a page up", modes: [.table], action: .pageUp),
        KeyBinding([.pageDown], "PgDn", "a page down", modes: [.table], action: .pageDown),
        KeyBinding([.character("g"), .home], "g/Home", "first lease", modes: [.table], action: .top),
        KeyBinding([.character("G"), .end], "G/End", "last lease", modes: [.table], action: .bottom),
        KeyBinding([.character("s")], "s", "sort by the next column", modes: [.table], footer: "sort", action: .sortNext),
        KeyBinding([.character("S")], "S", "reverse the sort order", modes: [.table], action: .sortReverse),
        KeyBinding(characters("1234567"), "1–7", "sort by column 1–7 (again: reverse)", modes: [.table],
                   action: .sortByNumber),
        KeyBinding([.character("/")], "/", "filter: text, or re:regex (Enter applies, Esc clears)", modes: [.table],
                   footer: "filter", action: .startFilter),
        KeyBinding([.character("r")], "r", "release (the address stays held until the lease would have ended)",
                   modes: browsing, changesLeases: true, footer: "release", action: .release),
        KeyBinding([.character("R")], "R", "force release (the address is free at once)", modes: browsing,
                   changesLeases: true, action: .forceRelease),
        KeyBinding([.character("e")], "e", "extend (prompts for a duration, default the pool's lease time)",
                   modes: browsing, changesLeases: true, footer: "extend", action: .extend),
        KeyBinding([.character("p")], "p", "pause the live view (changes are kept; p again applies them)",
                   modes: browsing, footer: "pause", action: .pause),
        KeyBinding([.character("t")], "t", "next theme", modes: [.table, .detail, .help], footer: "theme", action: .cycleTheme),
        KeyBinding([.character("y")], "y", "yes, go ahead", modes: [.confirm], action: .confirm),
        KeyBinding([], "any other key", "no (the default)", modes: [.confirm], isFallback: true, action: .cancel),
        KeyBinding([.enter], "Enter", "apply", modes: [.prompt, .filterInput], action: .submit),
        KeyBinding([.escape], "Esc", "cancel (filter: clear it)", modes: [.prompt, .filterInput], action: .cancel),
        KeyBinding([.backspace, .delete], "Backspace", "delete a character", modes: [.prompt, .filterInput],
                   action: .deleteCharacter),
        KeyBinding([], "text", "type (durations: 3600, 90s, 30m, 1h, 1h30m, 2d)", modes: [.prompt, .filterInput],
                   isFallback: true, action: .typeCharacter),
    ]

    /// The binding `key` selects in `mode`: an exact key first, then the mode's fallback.
    public static func binding(for key: Key, in mode: ModeKind) -> KeyBinding? {
        table.first { $0.modes.contains(mode) && $0.keys.contains(key) }
            ?? table.first { $0.modes.contains(mode) && $0.isFallback }
    }

    /// The README's key list, generated from `table`.
    public static func markdown() -> String {
        var lines = ["| key | does | where |", "| --- | --- | --- |"]
        for binding in table {
            let modes = ModeKind.allCases.filter { binding.modes.contains($0) }.map(\.rawValue).joined(separator: ", ")
            let label = binding.label.replacingOccurrences(of: "|", with: "\\|")
            let note = binding.changesLeases ? "; not with `--readonly`" : ""
            let key = binding.isFallback ? "*\(label)*" : "`\(label)`"
            lines.append("| \(key) | \(binding.description)\(note) | \(modes) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
