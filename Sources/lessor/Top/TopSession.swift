import Dashboard
import DashboardTerminal
import Foundation
import LessorControl

/// One run of the dashboard: a control connection subscribed to the lease stream, a second
/// one for status/pool polls and the operator's release/extend requests, and the terminal.
/// Everything that happens — a key, a stream event, an answer, a clock tick — becomes one
/// `Input` on one stream, applied in order to the `DashboardState` by the pure reducer; frames
/// are drawn at most every `frameInterval` (a burst of 10,000 changes is one frame, not
/// 10,000), and at once after a key.
struct TopSession {
    var socket: String
    var readonly = false
    var themeName: String?
    var themesDirectory: String?
    var thresholds = PoolThresholds()
    /// How often pools and status are asked for (pool counts include in-memory offers, which are
    /// not lease changes).
    var pollInterval: Duration = .seconds(2)
    var frameInterval: Duration = .milliseconds(50)

    enum Outcome: Equatable {
        case quit
        /// A signal ended the session; exit with 128 + signal.
        case signal(Int32)
    }

    private enum Input: Sendable {
        case key(Key)
        case response(ControlResponse)
        case frameTick
        case keysEnded
        case connectionLost(String)
    }

    func run() async throws -> Outcome {
        // Connect before taking over the terminal, so a wrong socket is a plain error message.
        let stream = try await ControlClient.connect(path: socket)
        let requests = try await ControlClient.connect(path: socket)
        defer {
            Task {
                await stream.close()
                await requests.close()
            }
        }
        let themes = loadThemes()
        let screen = try TerminalScreen.start()
        defer { screen.stop() }
        let keys = screen.keys()

        // The chosen theme first; `t` cycles through the rest in order.
        var names = themes.names
        if let themeName, let index = names.firstIndex(of: themeName) { names = Array(names[index...] + names[..<index]) }
        var state = DashboardState(readonly: readonly, thresholds: thresholds, themeNames: names)
        var styles = themes.styles(for: state.themeName, depth: screen.capabilities.colorDepth)

        let (inputs, feed) = AsyncStream<Input>.makeStream()
        let producers = [
            Task {
                for await key in keys { feed.yield(.key(key)) }
                feed.yield(.keysEnded)
            },
            Task {
                do {
                    for try await event in stream.subscribe() { feed.yield(.response(event)) }
                    feed.yield(.connectionLost("the server closed the connection"))
                } catch {
                    feed.yield(.connectionLost("\(error)"))
                }
            },
            Task { [pollInterval] in
                while !Task.isCancelled {
                    for command in [ControlCommand.status, .pools] {
                        if let answer = try? await requests.request(ControlRequest(id: 0, command: command)) {
                            feed.yield(.response(answer))
                        }
                    }
                    try? await Task.sleep(for: pollInterval)
                }
            },
            Task { [frameInterval] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: frameInterval)
                    feed.yield(.frameTick)
                }
            },
        ]
        defer { for task in producers { task.cancel() } }

        var dirty = true
        var lastFrame = ContinuousClock.now - .seconds(1)
        var outcome = Outcome.quit
        loop: for await input in inputs {
            let now = Date()
            var effects: [DashboardEffect] = []
            var drawNow = false
            switch input {
            case .key(let key):
                if key == .control("l") { screen.redraw() }
                effects = state.handle(key, now: now)
                dirty = true
                drawNow = true
            case .response(let response):
                effects = state.apply(response, now: now)
                dirty = true
            case .frameTick:
                // Countdowns move every second even when nothing else happens.
                if ContinuousClock.now - lastFrame >= .seconds(1) { dirty = true }
            case .keysEnded:
                if case .signal(let number) = screen.stopReason { outcome = .signal(number) }
                break loop
            case .connectionLost(let reason):
                screen.stop()
                throw TopError("lost the connection to the server at \(socket): \(reason)")
            }
            for effect in effects {
                switch effect {
                case .quit:
                    break loop
                case .cycleTheme(let name):
                    styles = themes.styles(for: name, depth: screen.capabilities.colorDepth)
                case .send(let request):
                    Task {
                        // The client numbers requests itself; the dashboard matches answers by its own id.
                        var answer: ControlResponse
                        do {
                            answer = try await requests.request(request)
                        } catch {
                            answer = .failure(id: request.id, ControlError(.unavailable, "\(error)"))
                        }
                        answer.id = request.id
                        feed.yield(.response(answer))
                    }
                }
            }
            if dirty, drawNow || ContinuousClock.now - lastFrame >= frameInterval {
                let size = screen.size
                screen.show(state.renderFrame(width: size.width, height: size.height, now: now, unicode: screen.capabilities.unicode), styles: styles)
                lastFrame = .now
                dirty = false
            }
        }
        return outcome
    }

    private func loadThemes() -> ThemeSet {
        if let themesDirectory, let set = try? ThemeSet.load(directory: themesDirectory), !set.themes.isEmpty { return set }
        let candidates = ThemeSet.searchPath(
            environment: ProcessInfo.processInfo.environment, executablePath: CommandLine.arguments.first ?? "lessor")
        return ThemeSet.locate(candidates: candidates)
    }
}

extension ThemeSet {
    func styles(for name: String, depth: ColorDepth) -> [ColorRole: ResolvedStyle] {
        (theme(named: name) ?? themes.first ?? Theme.builtIn).resolved(for: depth)
    }
}

struct TopError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
