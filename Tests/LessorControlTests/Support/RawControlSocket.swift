import Foundation
import LessorControl

#if canImport(Glibc)
import Glibc
#endif

/// A bare UNIX stream socket for speaking the protocol byte by byte: malformed lines, overlong
/// lines, and a subscriber that does not read.
final class RawControlSocket {
    private let fd: Int32
    private var pending: [UInt8] = []

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket: errno \(errno)") }
        guard Self.withAddress(path, { connect(fd, $0, $1) }) == 0 else {
            close(fd)
            throw FixtureError("connect \(path): errno \(errno)")
        }
    }

    deinit { close(fd) }

    /// Calls `body` (connect, bind) with `path` as a UNIX socket address.
    static func withAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (offset, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[offset] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// Sends all of `text`, or as much as the server took before it closed the connection.
    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0, errno == EPIPE || errno == ECONNRESET { return }  // the server hung up: read why
            guard written > 0 else { throw FixtureError("send: errno \(errno)") }
            offset += written
        }
    }

    /// The next line, waiting up to `timeout`; nil when the server closed the connection. The
    /// socket is non-blocking and polled, so no thread of the test's executor is ever blocked.
    func readLine(timeout: Duration = .seconds(10)) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = recv(fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
            if count == 0 { return nil }
            if count > 0 {
                pending += chunk.prefix(count)
                continue
            }
            guard errno == EAGAIN || errno == EWOULDBLOCK else { throw FixtureError("recv: errno \(errno)") }
            guard ContinuousClock.now < deadline else { throw FixtureError("no line within \(timeout)") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The next line decoded as a response; nil when the server closed the connection.
    func response(timeout: Duration = .seconds(10)) async throws -> ControlResponse? {
        guard let line = try await readLine(timeout: timeout) else { return nil }
        return try ControlCoding.decode(ControlResponse.self, from: Array(line.utf8))
    }
}
