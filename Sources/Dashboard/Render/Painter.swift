/// Drawing helpers over a `CellGrid`: fitted text, rules and boxes, in Unicode or ASCII.
struct Painter {
    var grid: CellGrid
    let unicode: Bool

    init(width: Int, height: Int, unicode: Bool) {
        grid = CellGrid(width: width, height: height)
        self.unicode = unicode
    }

    var width: Int { grid.width }
    var height: Int { grid.height }
    var ellipsis: Character { unicode ? "…" : "~" }

    /// `text` cut or padded to exactly `width` columns; a cut ends in an ellipsis.
    func fit(_ text: String, _ width: Int, alignRight: Bool = false) -> String {
        guard width > 0 else { return "" }
        let text = unicode ? text : Self.ascii(text)
        if text.count > width { return String(text.prefix(width - 1)) + String(ellipsis) }
        let padding = String(repeating: " ", count: width - text.count)
        return alignRight ? padding + text : text + padding
    }

    /// Replaces the few non-ASCII characters the dashboard writes.
    static func ascii(_ text: String) -> String {
        guard !text.allSatisfy(\.isASCII) else { return text }
        var out = ""
        for character in text {
            switch character {
            case "↑": out += "Up"
            case "↓": out += "Down"
            case "→": out += "->"
            case "–", "─": out += "-"
            case "…": out += "~"
            case "·": out += "|"
            case "×": out += "x"
            case "▲": out += "^"
            case "▼": out += "v"
            default: out.append(character.isASCII ? character : "?")
            }
        }
        return out
    }

    /// Writes text (converted to ASCII when needed), clipped at `limit` columns.
    @discardableResult
    mutating func text(_ text: String, x: Int, y: Int, role: ColorRole, limit: Int? = nil) -> Int {
        grid.put(unicode ? text : Self.ascii(text), x: x, y: y, role: role, limit: limit)
    }

    mutating func fill(y: Int, x: Int = 0, width: Int? = nil, role: ColorRole) {
        let count = width ?? (grid.width - x)
        grid.put(String(repeating: " ", count: max(0, count)), x: x, y: y, role: role)
    }

    /// A horizontal rule across the screen with a title: `─ Pools ─────`.
    mutating func rule(y: Int, title: String, detail: String = "") {
        let line: Character = unicode ? "─" : "-"
        grid.put(String(repeating: line, count: width), x: 0, y: y, role: .border)
        var x = text(" \(title) ", x: 1, y: y, role: .title)
        if !detail.isEmpty { x = text(detail + " ", x: x, y: y, role: .dim, limit: width - x - 1) }
    }

    /// A framed, cleared box with a title; returns the inner rectangle.
    mutating func box(x: Int, y: Int, width: Int, height: Int, title: String) -> (x: Int, y: Int, width: Int, height: Int) {
        let (h, v, tl, tr, bl, br): (Character, Character, Character, Character, Character, Character) =
            unicode ? ("─", "│", "┌", "┐", "└", "┘") : ("-", "|", "+", "+", "+", "+")
        for row in y..<(y + height) { fill(y: row, x: x, width: width, role: .help) }
        grid.put(String(tl) + String(repeating: h, count: max(0, width - 2)) + String(tr), x: x, y: y, role: .border)
        grid.put(String(bl) + String(repeating: h, count: max(0, width - 2)) + String(br), x: x, y: y + height - 1, role: .border)
        for row in (y + 1)..<(y + height - 1) {
            grid.put(String(v), x: x, y: row, role: .border)
            grid.put(String(v), x: x + width - 1, y: row, role: .border)
        }
        text(" \(title) ", x: x + 2, y: y, role: .title, limit: width - 4)
        return (x + 2, y + 1, width - 4, height - 2)
    }

    /// Splits `text` into lines of at most `width` columns at spaces.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
            while current.count > width {
                lines.append(String(current.prefix(width)))
                current = String(current.dropFirst(width))
            }
        }
        lines.append(current)
        return lines
    }
}
