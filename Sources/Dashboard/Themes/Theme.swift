import Foundation

/// A named mapping from colour roles to styles, loaded from a `.theme` file.
///
/// File format (one role a line; `# ` starts a comment, as does any word starting with `#` that
/// is not a colour; blank lines are ignored):
///
///     name = High contrast             # optional; default: the file name without .theme
///     normal   = white on black
///     selected = black on bright-cyan bold
///     warn     = yellow bold
///     dim      = 244
///     header   = #ffffff on #005f87 bold underline
///
/// A style is `[foreground] [on background] [bold] [underline] [reverse]`, each part optional.
/// Colours: `default` (the terminal's own colour, never repainted), the names black, red,
/// green, yellow, blue, magenta, cyan, white and their `bright-` forms, a palette index
/// 0–255, or `#rrggbb`. Roles a file leaves out take the file's `normal` style (`selected`:
/// `normal` reversed, so the cursor stays visible); without `normal`, default on default.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var styles: [ColorRole: ThemeStyle]
    /// Roles the file did not set (they use the fallback described above).
    public var missingRoles: [ColorRole]

    public init(name: String, styles: [ColorRole: ThemeStyle]) {
        self.name = name
        let normal = styles[.normal] ?? ThemeStyle()
        var complete = styles
        var missing: [ColorRole] = []
        for role in ColorRole.allCases where styles[role] == nil {
            missing.append(role)
            var style = normal
            if role == .selected { style.reverse.toggle() }
            complete[role] = style
        }
        self.styles = complete
        missingRoles = missing
    }

    public func style(_ role: ColorRole) -> ThemeStyle { styles[role] ?? ThemeStyle() }

    /// The colour names a theme file may use, with their palette indices.
    public static let colorNames: [String: UInt8] = {
        let base = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
        var names: [String: UInt8] = [:]
        for (index, name) in base.enumerated() {
            names[name] = UInt8(index)
            names["bright-\(name)"] = UInt8(index + 8)
        }
        names["grey"] = 8
        names["gray"] = 8
        return names
    }()

    /// Parses a theme file's text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ThemeError) -> Theme {
        var name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        var styles: [ColorRole: ThemeStyle] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = stripComment(rawLine)
            if content.isEmpty { continue }
            let fail = { (message: String) in ThemeError(file: file, line: index + 1, message: message) }
            guard let equals = content.firstIndex(of: "=") else {
                throw fail("expected 'role = style', found '\(content)'")
            }
            let key = content[..<equals].trimmingCharacters(in: .whitespaces)
            let value = content[content.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if key == "name" {
                guard !value.isEmpty else { throw fail("expected a theme name after 'name ='") }
                name = value
                continue
            }
            guard let role = ColorRole(rawValue: key) else {
                throw fail(
                    "unknown role '\(key)' (expected name or one of: \(ColorRole.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard styles[role] == nil else { throw fail("role '\(key)' is set twice") }
            do {
                styles[role] = try parseStyle(value)
            } catch {
                throw fail(error.message)
            }
        }
        return Theme(name: name, styles: styles)
    }

    /// The line without its comment: from the first word that starts with `#` and is not
    /// hex digits (those are colours, checked as such).
    static func stripComment(_ line: Substring) -> String {
        var kept: [Substring] = []
        for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            if word.hasPrefix("#") && (word.count == 1 || !word.dropFirst().allSatisfy(\.isHexDigit)) { break }
            kept.append(word)
        }
        return kept.joined(separator: " ")
    }

    /// `[fg] [on bg] [bold] [underline] [reverse]`.
    static func parseStyle(_ text: String) throws(StyleError) -> ThemeStyle {
        var style = ThemeStyle()
        var words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.lowercased() }[...]
        guard !words.isEmpty else { throw StyleError(message: "expected a style (colour, 'on' colour, bold, underline, reverse)") }
        let attributes: Set<String> = ["bold", "underline", "reverse"]
        if let first = words.first, first != "on", !attributes.contains(first) {
            style.foreground = try parseColor(first)
            words = words.dropFirst()
        }
        if words.first == "on" {
            words = words.dropFirst()
            guard let background = words.first else { throw StyleError(message: "expected a colour after 'on'") }
            style.background = try parseColor(background)
            words = words.dropFirst()
        }
        for word in words {
            switch word {
            case "bold": style.bold = true
            case "underline": style.underline = true
            case "reverse": style.reverse = true
            default:
                throw StyleError(message: "unexpected '\(word)' (expected bold, underline or reverse after the colours)")
            }
        }
        return style
    }

    /// `default`, a colour name, 0–255 or `#rrggbb`.
    public static func parseColor(_ text: String) throws(StyleError) -> ThemeColor {
        let text = text.lowercased()
        if text == "default" { return .terminalDefault }
        if let index = colorNames[text] { return .indexed(index) }
        if let number = Int(text) {
            guard (0...255).contains(number) else { throw StyleError(message: "colour index \(number) is not within 0–255") }
            return .indexed(UInt8(number))
        }
        if text.hasPrefix("#"), text.count == 7, let value = UInt32(text.dropFirst(), radix: 16) {
            return .rgb(UInt8(value >> 16), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
        }
        throw StyleError(
            message: "bad colour '\(text)' (expected default, a name such as red or bright-blue, 0–255, or #rrggbb)")
    }

    /// Reads and parses one `.theme` file.
    public static func load(contentsOf path: String) throws(ThemeError) -> Theme {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ThemeError(file: path, line: 0, message: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// Compiled in: used when no themes directory is found, and the model for `default.theme`.
    public static let builtIn: Theme = {
        let source = """
            name = default
            normal = default on default
            header = bright-white on blue bold
            title = cyan bold
            border = blue
            dim = bright-black
            selected = black on cyan
            key = yellow bold
            prompt = bright-white on blue
            error = bright-red bold
            help = default on default
            ok = green
            warn = yellow bold
            critical = bright-red bold
            bar_used = green
            bar_free = bright-black
            active = green
            offered = cyan
            released = yellow
            declined = magenta
            expired = bright-black
            event_new = green bold
            event_change = cyan
            event_gone = yellow
            disabled = bright-black
            """
        // The source above is a constant checked by the tests.
        return (try? parse(source, file: "built-in")) ?? Theme(name: "default", styles: [:])
    }()
}

/// A theme file that cannot be used: which file, which line (0: the file as a whole), what was
/// expected.
public struct ThemeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

public struct StyleError: Error, Sendable, Equatable {
    public var message: String
}

/// The themes `t` cycles through: every `.theme` file of a directory (`default` first, then by
/// name), or the built-in theme alone.
public struct ThemeSet: Sendable {
    public var themes: [Theme]
    /// Files that failed to load (the others are still used).
    public var problems: [ThemeError]
    /// The directory the themes came from (nil: the built-in theme).
    public var directory: String?

    public init(themes: [Theme], problems: [ThemeError] = [], directory: String? = nil) {
        self.themes = themes.isEmpty ? [Theme.builtIn] : themes
        self.problems = problems
        self.directory = directory
    }

    public static let builtIn = ThemeSet(themes: [Theme.builtIn])

    public var names: [String] { themes.map(\.name) }

    public func theme(named name: String) -> Theme? { themes.first { $0.name == name } }

    /// Loads every `*.theme` file in `directory`. Throws only when the directory cannot be listed.
    public static func load(directory: String) throws(ThemeError) -> ThemeSet {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".theme") }
        } catch {
            throw ThemeError(file: directory, line: 0, message: "cannot list the themes directory: \(error.localizedDescription)")
        }
        var themes: [Theme] = []
        var problems: [ThemeError] = []
        for file in files.sorted() {
            do {
                themes.append(try Theme.load(contentsOf: (directory as NSString).appendingPathComponent(file)))
            } catch {
                problems.append(error)
            }
        }
        themes.sort { ($0.name == "default" ? 0 : 1, $0.name) < ($1.name == "default" ? 0 : 1, $1.name) }
        return ThemeSet(themes: themes, problems: problems, directory: directory)
    }

    /// The first of `candidates` that is a directory, loaded; the built-in theme when none is.
    public static func locate(candidates: [String]) -> ThemeSet {
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue else {
                continue
            }
            if let set = try? load(directory: candidate) { return set }
        }
        return builtIn
    }

    /// Where `lessor top` looks, in order: `$LESSOR_THEMES`, `./themes`, `<prefix>/share/lessor/themes`
    /// beside the executable, `/usr/share/lessor/themes`.
    public static func searchPath(environment: [String: String], executablePath: String) -> [String] {
        var paths: [String] = []
        if let explicit = environment["LESSOR_THEMES"], !explicit.isEmpty { paths.append(explicit) }
        paths.append("themes")
        let binDirectory = (executablePath as NSString).deletingLastPathComponent
        paths.append(((binDirectory as NSString).deletingLastPathComponent as NSString).appendingPathComponent("share/lessor/themes"))
        paths.append("/usr/share/lessor/themes")
        return paths
    }
}
