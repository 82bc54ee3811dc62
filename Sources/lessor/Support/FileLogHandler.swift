import Foundation
import Logging
import Synchronization

/// A swift-log handler that appends lines to a file: for commands that own the terminal (the
/// demo with its dashboard), where log lines on stderr would tear the screen.
struct FileLogHandler: LogHandler {
    final class Sink: Sendable {
        private let handle: Mutex<FileHandle>
        init(_ handle: FileHandle) { self.handle = Mutex(handle) }
        func write(_ line: String) { handle.withLock { $0.write(Data(line.utf8)) } }
    }

    let label: String
    let sink: Sink
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(label: String, handle: Sink, level: Logger.Level) {
        self.label = label
        sink = handle
        logLevel = level
    }

    static func open(_ path: String) throws -> Sink {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw DemoError("cannot write the log file \(path)") }
        handle.seekToEndOfFile()
        return Sink(handle)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let details = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.write("\(ISO8601DateFormatter().string(from: Date())) \(event.level) \(label): \(event.message)\(details)\n")
    }
}
