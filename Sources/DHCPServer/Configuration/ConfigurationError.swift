/// Everything wrong with a configuration or reservations file: each problem names the file, the line
/// and column, the field's path (`server4.subnets[1].pools[0]`) and what was expected, so the operator
/// can go straight to it. `description` prints one problem a line, `file:line:column: path: message`,
/// the form editors and CI logs recognise.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of mistake a problem is. A struct over a private enum, so new kinds don't break callers.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unreadable, syntax, unknownKey, missingKey, invalidValue, conflict
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file could not be read (missing, unreadable, not UTF-8).
        public static let unreadable = Kind(.unreadable)
        /// The text is not valid YAML.
        public static let syntax = Kind(.syntax)
        /// A key that has no meaning at that place: usually a typo.
        public static let unknownKey = Kind(.unknownKey)
        /// A required key is absent.
        public static let missingKey = Kind(.missingKey)
        /// A value of the wrong type or shape, or out of range.
        public static let invalidValue = Kind(.invalidValue)
        /// A value that is fine alone but contradicts another one (overlap, duplicate, outside its subnet).
        public static let conflict = Kind(.conflict)

        public var description: String { base.rawValue }
    }

    /// One mistake and where it is.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var kind: Kind
        /// The file as the caller named it.
        public var file: String
        /// 1-based; nil when the problem is about the file as a whole.
        public var line: Int?
        /// 1-based, counted in Unicode scalars; nil when `line` is.
        public var column: Int?
        /// The field, like `server4.subnets[1].pools[0]`; empty for the document itself.
        public var path: String
        /// What is wrong and what was expected.
        public var message: String

        public init(kind: Kind, file: String, line: Int?, column: Int?, path: String, message: String) {
            self.kind = kind
            self.file = file
            self.line = line
            self.column = column
            self.path = path
            self.message = message
        }

        /// `file:line:column: path: message`
        public var description: String {
            var text = file
            if let line {
                text += ":\(line)"
                if let column { text += ":\(column)" }
            }
            text += ": "
            if !path.isEmpty { text += "\(path): " }
            return text + message
        }
    }

    /// Every problem found, in file and then line order. Never empty.
    public var problems: [Problem]

    public init(problems: [Problem]) {
        self.problems = problems
    }

    public init(_ problem: Problem) {
        problems = [problem]
    }

    /// One problem a line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
