/// Why the terminal could not be started, said so the user knows what to do.
public struct TerminalError: Error, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case notATerminal, unknownTerminal, unsupportedTerminal, alreadyActive
    }

    public var code: Code
    public var description: String

    static func notATerminal(_ stream: String) -> TerminalError {
        TerminalError(
            code: .notATerminal,
            description: "\(stream) is not a terminal: the dashboard needs an interactive terminal "
                + "(run it in a terminal or over ssh -t, not in a pipe)")
    }

    static func unknownTerminal(_ term: String?) -> TerminalError {
        let what = term.map { $0.isEmpty ? "TERM is empty" : "unknown terminal type \"\($0)\" (no terminfo entry)" } ?? "TERM is not set"
        return TerminalError(
            code: .unknownTerminal, description: "\(what): set TERM to a type this machine knows, e.g. TERM=xterm-256color")
    }

    static func unsupportedTerminal(_ term: String) -> TerminalError {
        TerminalError(
            code: .unsupportedTerminal,
            description: "terminal type \"\(term)\" cannot move the cursor: the dashboard needs a full-screen terminal "
                + "such as TERM=xterm-256color")
    }

    static let alreadyActive = TerminalError(
        code: .alreadyActive, description: "a terminal screen is already running in this process; stop it first")
}
