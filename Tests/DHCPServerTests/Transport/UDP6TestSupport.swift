import DHCPWire
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A plain blocking UDP/IPv6 socket (no NIO): the other end of the transport tests.
struct PlainUDP6Socket: Sendable {
    let fd: Int32

    /// Bound to `address`:`port` (port 0: any free one), IPV6_V6ONLY, receives time out after `timeout` seconds.
    init(address: String = "::", port: UInt16 = 0, timeout: Int = 5) throws {
        fd = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw SocketTestError("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var local = try Self.socketAddress(address, port: port)
        let rc = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        guard rc == 0 else {
            let error = errno
            _ = Glibc.close(fd)
            throw SocketTestError("bind [\(address)]:\(port): errno \(error)")
        }
    }

    static func socketAddress(_ address: String, port: UInt16, scope: UInt32 = 0) throws -> sockaddr_in6 {
        var raw = sockaddr_in6()
        raw.sin6_family = sa_family_t(AF_INET6)
        raw.sin6_port = port.bigEndian
        raw.sin6_scope_id = scope
        guard inet_pton(AF_INET6, address, &raw.sin6_addr) == 1 else { throw SocketTestError("not an IPv6 address: \(address)") }
        return raw
    }

    /// The port the socket is bound to.
    var port: UInt16 {
        var local = sockaddr_in6()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: local.sin6_port)
    }

    /// Multicasts leave through this interface.
    func setMulticastInterface(_ index: UInt32) {
        var value = Int32(index)
        setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_MULTICAST_IF, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    func send(_ bytes: [UInt8], to address: String, port: UInt16, scope: UInt32 = 0) throws {
        var target = try Self.socketAddress(address, port: port, scope: scope)
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        guard sent == bytes.count else { throw SocketTestError("sendto [\(address)]:\(port)%\(scope): errno \(errno)") }
    }

    /// The next datagram, or nil when none came within the socket's timeout.
    func receive() -> (bytes: [UInt8], source: IPv6Address, port: UInt16, scope: UInt32)? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var source = sockaddr_in6()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let count = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &length) }
            }
        }
        guard count >= 0, let address = IPv6Address(bytes: withUnsafeBytes(of: source.sin6_addr) { Array($0) }) else { return nil }
        return (Array(buffer.prefix(count)), address, UInt16(bigEndian: source.sin6_port), source.sin6_scope_id)
    }

    func close() { _ = Glibc.close(fd) }
}

struct SocketTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Moves the calling thread into the network namespace `/run/netns/<name>` (setns(2): per
/// thread, so only threads the test owns may call it).
func enterNetworkNamespace(_ name: String) throws {
    let fd = open("/run/netns/\(name)", O_RDONLY)
    guard fd >= 0 else { throw SocketTestError("open /run/netns/\(name): errno \(errno)") }
    defer { close(fd) }
    // setns is a GNU extension the Glibc module does not always export: look it up.
    typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "setns") else { throw SocketTestError("no setns in libc") }
    let setns = unsafeBitCast(symbol, to: SetNS.self)
    guard setns(fd, 0x4000_0000 /* CLONE_NEWNET */) == 0 else { throw SocketTestError("setns \(name): errno \(errno)") }
}

/// Runs `body` on a new thread inside network namespace `name`; the thread ends with it.
func inNetworkNamespace<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do {
                try enterNetworkNamespace(name)
                continuation.resume(returning: try body())
            } catch {
                continuation.resume(throwing: error)
            }
        }
        thread.start()
    }
}

/// scripts/it/lab.sh, the network lab of the integration tests, from the unit tests.
enum TestLab {
    static let script: String = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<8 where !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("scripts/it/lab.sh").path
    }()

    /// Why namespaces cannot be made here, or nil.
    static let unavailableReason: String? = {
        guard getuid() == 0 else { return "needs root to create network namespaces (run the tests as root, as CI does)" }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/usr/bin/ip")
            || FileManager.default.isExecutableFile(atPath: "/sbin/ip")
        else { return "no `ip` command (iproute2)" }
        return nil
    }()

    /// Runs lab.sh with `arguments`; its output on failure.
    @discardableResult
    static func run(_ arguments: String...) async throws -> String {
        try await runCommand(["/bin/bash", script] + arguments)
    }

    static func runCommand(_ arguments: [String]) async throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lab-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        try? handle.close()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard status == 0 else { throw SocketTestError("\(arguments.joined(separator: " ")) exited \(status):\n\(text)") }
        return text
    }
}
