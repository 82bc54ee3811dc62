/// What the renderer produces and the terminal paints: a rectangle of cells, each a character
/// with a colour role. Tests compare grids as text (`text`) and as roles (`roleMap`).
public struct CellGrid: Sendable, Equatable {
    public struct Cell: Sendable, Equatable {
        /// One terminal column. Wide characters are not used: every cell is one column.
        public var character: Character
        public var role: ColorRole

        public init(_ character: Character = " ", _ role: ColorRole = .normal) {
            self.character = character
            self.role = role
        }
    }

    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = Cell()) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: fill, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Writes `text` from (x, y) rightwards, clipped at `limit` columns (default: the grid's edge).
    /// Returns the column after the last character written.
    @discardableResult
    public mutating func put(_ text: some StringProtocol, x: Int, y: Int, role: ColorRole, limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return x }
        let end = min(width, limit.map { x + $0 } ?? width)
        var column = x
        for character in text {
            if column >= end { break }
            if column >= 0 { cells[y * width + column] = Cell(character, role) }
            column += 1
        }
        return column
    }

    /// Sets the role of a run of cells, keeping their characters.
    public mutating func paint(x: Int, y: Int, width count: Int, role: ColorRole) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + count) { cells[y * width + column].role = role }
    }

    /// The grid as lines of text (trailing spaces kept, so columns line up).
    public var text: String {
        (0..<height).map { y in String(cells[(y * width)..<((y + 1) * width)].map(\.character)) }.joined(separator: "\n")
    }

    /// The roles as lines of one letter per cell (`ColorRole.code`), for colour golden files.
    public var roleMap: String {
        (0..<height).map { y in String(cells[(y * width)..<((y + 1) * width)].map { $0.role.code }) }.joined(separator: "\n")
    }
}

/// What a cell means, not what colour it is: themes map roles to colours.
public enum ColorRole: String, Sendable, CaseIterable, Codable {
    case normal, header, title, border, dim, selected, key, prompt, error, help
    case ok, warn, critical
    case barUsed = "bar_used", barFree = "bar_free"
    case active, offered, released, declined, expired
    case eventNew = "event_new", eventChange = "event_change", eventGone = "event_gone"
    case disabled

    /// One letter per role for `CellGrid.roleMap`.
    public var code: Character {
        switch self {
        case .normal: "."
        case .header: "H"
        case .title: "T"
        case .border: "|"
        case .dim: "d"
        case .selected: "S"
        case .key: "K"
        case .prompt: "P"
        case .error: "E"
        case .help: "h"
        case .ok: "o"
        case .warn: "w"
        case .critical: "c"
        case .barUsed: "#"
        case .barFree: "-"
        case .active: "a"
        case .offered: "f"
        case .released: "r"
        case .declined: "x"
        case .expired: "e"
        case .eventNew: "+"
        case .eventChange: "~"
        case .eventGone: "_"
        case .disabled: "g"
        }
    }
}
