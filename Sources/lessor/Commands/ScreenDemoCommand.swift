import ArgumentParser
import Dashboard
import DashboardTerminal
import Foundation

extension DebugCommand {
    /// Draws a test pattern with the dashboard's terminal layer: a border, some coloured roles,
    /// the size and the last key. The tmux end-to-end test drives it; by hand it shows what a
    /// terminal gets (colour depth, Unicode or ASCII).
    struct ScreenDemo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "screen-demo", abstract: "Draw a test pattern on the terminal; q quits.")

        @Option(help: "Animate this many frames (a counter and a moving marker) before waiting for keys.")
        var frames = 0

        func run() async throws {
            let screen = try TerminalScreen.start()
            let keys = screen.keys()
            let styles = Self.styles(for: screen.capabilities.colorDepth)
            var pattern = Pattern(capabilities: screen.capabilities, frames: frames)
            let draw = { (pattern: Pattern) in screen.show(pattern.grid(size: screen.size), styles: styles) }
            draw(pattern)
            // Keys typed meanwhile wait in the stream.
            for frame in stride(from: 1, through: frames, by: 1) where screen.stopReason == nil {
                try await Task.sleep(for: .milliseconds(50))
                pattern.frame = frame
                draw(pattern)
            }
            for await key in keys {
                if key == .character("q") { break }
                if key == .control("l") { screen.redraw() }
                pattern.lastKey = key
                draw(pattern)
            }
            screen.stop()
            let (width, height) = screen.size
            print(
                "screen-demo: \(width)x\(height), colours \(screen.capabilities.colorDepth.rawValue), "
                    + "unicode \(screen.capabilities.unicode ? "yes" : "no"), frames \(pattern.frame)")
            if case .signal(let signal) = screen.stopReason { throw ExitCode(128 + signal) }
        }

        /// A fixed style map: header reversed, warn yellow, critical red, ok green, border cyan.
        static func styles(for depth: ColorDepth) -> [ColorRole: ResolvedStyle] {
            let plain = ResolvedStyle(foreground: .terminalDefault, background: .terminalDefault, bold: false, underline: false, reverse: false)
            func colored(_ ansi: Int, _ index256: Int, _ rgb: UInt32) -> ResolvedStyle {
                var style = plain
                switch depth {
                case .truecolor: style.foreground = .direct(rgb)
                case .colors256: style.foreground = .index(index256)
                case .colors8: style.foreground = .index(ansi)
                case .mono: break
                }
                return style
            }
            var styles: [ColorRole: ResolvedStyle] = [
                .header: ResolvedStyle(foreground: .terminalDefault, background: .terminalDefault, bold: true, underline: false, reverse: true),
                .border: colored(6, 39, 0x00AFFF),
                .ok: colored(2, 34, 0x20C040),
                .warn: colored(3, 220, 0xFFD700),
                .critical: colored(1, 196, 0xFF3030),
                .barUsed: colored(2, 34, 0x20C040),
                .barFree: colored(7, 244, 0x808080),
                .key: plain,
            ]
            styles[.critical]?.bold = true
            styles[.key]?.underline = true
            if depth == .mono { styles[.warn]?.underline = true }
            return styles
        }
    }
}

/// What the demo shows, drawn into a grid of the screen's size.
private struct Pattern {
    var capabilities: TerminalCapabilities
    var frames: Int
    var frame = 0
    var lastKey: Key?

    func grid(size: (width: Int, height: Int)) -> CellGrid {
        var grid = CellGrid(width: size.width, height: size.height)
        guard size.width >= 30, size.height >= 10 else {
            grid.put("terminal too small", x: 0, y: 0, role: .error)
            return grid
        }
        let box: [Character] = capabilities.unicode ? ["┌", "┐", "└", "┘", "─", "│"] : ["+", "+", "+", "+", "-", "|"]
        let right = size.width - 1, bottom = size.height - 1
        for x in 1..<right {
            grid[x, 0] = .init(box[4], .border)
            grid[x, bottom] = .init(box[4], .border)
        }
        for y in 1..<bottom {
            grid[0, y] = .init(box[5], .border)
            grid[right, y] = .init(box[5], .border)
        }
        grid[0, 0] = .init(box[0], .border)
        grid[right, 0] = .init(box[1], .border)
        grid[0, bottom] = .init(box[2], .border)
        grid[right, bottom] = .init(box[3], .border)

        grid.put(" lessor screen-demo ", x: 2, y: 0, role: .header)
        let inner = size.width - 4
        grid.put("size: \(size.width)x\(size.height)", x: 2, y: 2, role: .normal, limit: inner)
        grid.put(
            "colours: \(capabilities.colorDepth.rawValue)  unicode: \(capabilities.unicode ? "yes" : "no")", x: 2, y: 3,
            role: .normal, limit: inner)
        grid.put("last key: \(lastKey.map { String(describing: $0) } ?? "none")", x: 2, y: 4, role: .key, limit: inner)
        var x = grid.put("ok", x: 2, y: 5, role: .ok)
        x = grid.put("warn", x: x + 2, y: 5, role: .warn)
        grid.put("critical", x: x + 2, y: 5, role: .critical)
        let barWidth = min(20, inner)
        let used = frames > 0 ? barWidth * frame / frames : barWidth / 2
        grid.put(String(repeating: capabilities.unicode ? "█" : "#", count: used), x: 2, y: 6, role: .barUsed)
        grid.put(String(repeating: capabilities.unicode ? "░" : "-", count: barWidth - used), x: 2 + used, y: 6, role: .barFree)
        grid.put("frame \(frame)/\(frames)", x: 2, y: 7, role: .dim, limit: inner)
        grid.put("q quits, ctrl-l redraws", x: 2, y: bottom - 1, role: .help, limit: inner)
        return grid
    }
}
