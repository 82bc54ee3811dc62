import Foundation
import Yams

/// Collects the problems found while reading one file, so a run reports all of them, not the first.
final class ConfigurationDiagnostics {
    let file: String
    private(set) var problems: [ConfigurationError.Problem] = []

    init(file: String) {
        self.file = file
    }

    func report(_ kind: ConfigurationError.Kind, at mark: Mark?, path: String, _ message: String) {
        report(kind, line: mark?.line, column: mark?.column, path: path, message)
    }

    func report(_ kind: ConfigurationError.Kind, line: Int?, column: Int?, path: String, _ message: String) {
        problems.append(.init(kind: kind, file: file, line: line, column: column, path: path, message: message))
    }

    var hasProblems: Bool { !problems.isEmpty }

    /// The problems in line and column order (ties keep the order they were found in).
    var sortedProblems: [ConfigurationError.Problem] {
        problems.enumerated().sorted { a, b in
            let left = (a.element.line ?? 0, a.element.column ?? 0, a.offset)
            let right = (b.element.line ?? 0, b.element.column ?? 0, b.offset)
            return left < right
        }.map(\.element)
    }
}

/// The YAML text of one file, composed into nodes that keep their line and column.
enum YAMLDocument {
    /// The root node, nil for an empty document; syntax errors are reported to `diagnostics`.
    static func compose(_ text: String, diagnostics: ConfigurationDiagnostics) -> Node?? {
        do {
            return .some(try Yams.compose(yaml: text))
        } catch let error as YamlError {
            report(error, text: text, diagnostics: diagnostics)
            return nil
        } catch {
            diagnostics.report(.syntax, at: nil, path: "", "invalid YAML: \(error)")
            return nil
        }
    }

    private static func report(_ error: YamlError, text: String, diagnostics: ConfigurationDiagnostics) {
        func contextText(_ context: YamlError.Context?) -> String {
            guard let context else { return "" }
            return " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            diagnostics.report(.syntax, at: mark, path: "", "invalid YAML: \(problem)\(contextText(context))")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            let phrase = duplicates.count == 1 ? "key \(keys) appears" : "keys \(keys) appear"
            diagnostics.report(
                .syntax, at: context.mark, path: "", "\(phrase) more than once in this mapping; keep one")
        case .reader(let problem, let offset, _, _):
            var line: Int?
            var column: Int?
            if let offset {
                let prefix = text.prefix(offset)
                line = prefix.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
                let lastLine = prefix.split(separator: "\n", omittingEmptySubsequences: false).last ?? ""
                column = lastLine.unicodeScalars.count + 1
            }
            diagnostics.report(.syntax, line: line, column: column, path: "", "invalid YAML: \(problem)")
        default:
            diagnostics.report(.syntax, at: nil, path: "", "invalid YAML: \(error)")
        }
    }
}

/// A node, the path that leads to it, and where to report what is wrong with it.
struct YAMLValue {
    let node: Node
    let path: String
    let diagnostics: ConfigurationDiagnostics

    var mark: Mark? { node.mark }

    func child(_ key: String, _ node: Node) -> YAMLValue {
        YAMLValue(node: node, path: path.isEmpty ? key : "\(path).\(key)", diagnostics: diagnostics)
    }

    func item(_ index: Int, _ node: Node) -> YAMLValue {
        YAMLValue(node: node, path: "\(path)[\(index)]", diagnostics: diagnostics)
    }

    func report(_ kind: ConfigurationError.Kind, _ message: String) {
        diagnostics.report(kind, at: mark, path: path, message)
    }

    /// Reports "expected …, got …".
    func invalid(_ expected: String, note: String? = nil) {
        report(.invalidValue, "expected \(expected), got \(got)" + (note.map { " (\($0))" } ?? ""))
    }

    /// An empty value, `~` or `null` written plainly.
    var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The scalar's text exactly as written (never re-typed by YAML's resolver: `0102` stays "0102").
    var text: String? {
        guard case .scalar(let scalar) = node, !isNull else { return nil }
        return scalar.string
    }

    /// How the value reads in a message.
    var got: String {
        switch node {
        case .scalar(let scalar): isNull ? "nothing" : "\"\(scalar.string)\""
        case .mapping(let mapping): mapping.isEmpty ? "an empty mapping" : "a mapping"
        case .sequence(let sequence): sequence.isEmpty ? "an empty list" : "a list"
        case .alias: "an alias"
        }
    }

    /// The scalar converted by `parse`, or nil after reporting "expected `expected`, got …".
    func scalar<T>(_ expected: String, _ parse: (String) -> T?) -> T? {
        guard let text, let value = parse(text) else {
            invalid(expected)
            return nil
        }
        return value
    }

    func string(_ expected: String) -> String? { scalar(expected) { $0 } }

    /// The items of a list, each with its path. A single scalar counts as a list of one when `single` is set,
    /// so `routers: 192.0.2.1` works as well as `routers: [192.0.2.1]`.
    func items(_ expected: String, single: Bool = false) -> [YAMLValue]? {
        switch node {
        case .sequence(let sequence):
            return sequence.enumerated().map { item($0.offset, $0.element) }
        case .scalar where single && !isNull:
            return [self]
        default:
            invalid(expected)
            return nil
        }
    }

    /// A mapping whose keys are checked against `keys` (unknown ones reported, with a "did you mean").
    func mapping(_ expected: String, keys: [String], extensionPrefix: String? = nil) -> YAMLMapping? {
        guard case .mapping = node else {
            invalid(expected)
            return nil
        }
        return YAMLMapping(self, keys: keys, extensionPrefix: extensionPrefix)
    }

    var isMapping: Bool {
        if case .mapping = node { return true }
        return false
    }
}

/// Reads one YAML mapping by key. Keys not in the allowed list are reported when it is made; YAML merge
/// keys (`<<: *defaults`) are expanded, with the mapping's own keys taking precedence. Keys starting with
/// `extensionPrefix` are ignored (a place to define YAML anchors).
struct YAMLMapping {
    let located: YAMLValue
    private(set) var entries: [(key: String, keyNode: Node, value: Node)] = []

    init(_ located: YAMLValue, keys allowed: [String], extensionPrefix: String? = nil) {
        self.located = located
        var own: [(key: String, keyNode: Node, value: Node)] = []
        var merged: [(key: String, keyNode: Node, value: Node)] = []
        guard case .mapping(let mapping) = located.node else { return }
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                located.diagnostics.report(
                    .invalidValue, at: keyNode.mark, path: located.path,
                    "expected a key name, "
                        + "got \(YAMLValue(node: keyNode, path: "", diagnostics: located.diagnostics).got)"
                )
                continue
            }
            if key.string == "<<" && key.style != .singleQuoted && key.style != .doubleQuoted {
                let sources: [Node] =
                    if case .sequence(let list) = value { Array(list) } else { [value] }
                for source in sources {
                    guard case .mapping(let inner) = source else {
                        located.diagnostics.report(
                            .invalidValue, at: source.mark, path: located.path,
                            "expected a mapping to merge (like <<: *defaults)")
                        continue
                    }
                    for (innerKey, innerValue) in inner {
                        guard case .scalar(let name) = innerKey else { continue }
                        merged.append((name.string, innerKey, innerValue))
                    }
                }
                continue
            }
            own.append((key.string, keyNode, value))
        }
        let ownKeys = Set(own.map(\.key))
        var seenMerged = Set<String>()
        entries = own
        for entry in merged where !ownKeys.contains(entry.key) && seenMerged.insert(entry.key).inserted {
            entries.append(entry)
        }
        for entry in entries where !allowed.contains(entry.key) {
            if let extensionPrefix, entry.key.hasPrefix(extensionPrefix) { continue }
            located.diagnostics.report(
                .unknownKey, at: entry.keyNode.mark, path: located.path,
                KeySuggestion.unknownKeyMessage(entry.key, allowed: allowed))
        }
    }

    var keys: [String] { entries.map(\.key) }

    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    /// The value under `key`, nil when absent.
    func optional(_ key: String) -> YAMLValue? {
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        return located.child(key, entry.value)
    }

    /// The value under `key`; when absent reports `missing key "key"` and what it should hold.
    func required(_ key: String, _ what: String) -> YAMLValue? {
        if let value = optional(key) { return value }
        located.report(.missingKey, "missing key \"\(key)\": \(what)")
        return nil
    }

    /// Where the key itself is written, for messages about the key.
    func keyMark(_ key: String) -> Mark? { entries.first { $0.key == key }?.keyNode.mark }
}

/// "Did you mean" for unknown keys and names: the closest allowed word, when it is close.
enum KeySuggestion {
    static func unknownKeyMessage(_ key: String, allowed: [String]) -> String {
        if let suggestion = closest(to: key, in: allowed) {
            return "unknown key \"\(key)\"; did you mean \"\(suggestion)\"?"
        }
        if allowed.isEmpty { return "unknown key \"\(key)\"; nothing is expected here" }
        return "unknown key \"\(key)\"; expected one of: \(allowed.joined(separator: ", "))"
    }

    /// The closest candidate by edit distance after folding case and `-` to `_`, or one the word is a
    /// prefix of (`dns` → `dns_servers`); nil when nothing is close enough to be a likely typo.
    static func closest(to word: String, in candidates: [String]) -> String? {
        func fold(_ text: String) -> [Character] {
            Array(text.lowercased().map { $0 == "-" || $0 == " " ? "_" : $0 })
        }
        let folded = fold(word)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(folded, fold(candidate))
            if distance < best?.distance ?? .max { best = (candidate, distance) }
        }
        if let best, best.distance <= max(1, min(3, folded.count / 3)) { return best.candidate }
        if folded.count >= 3, let prefixed = candidates.first(where: { fold($0).starts(with: folded + ["_"]) }) {
            return prefixed
        }
        return nil
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions
    /// ("lesae" for "lease") each count as one edit.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
