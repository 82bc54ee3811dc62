import DHCPWire
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The demo's relay agent on loopback: it sends the simulated clients' messages to the server
/// as a relay would (giaddr = its own address, option 82 with a link-selection sub-option
/// naming the client's subnet), so they take the server's real path — socket, parser, plugin
/// chain, store — and it receives the replies, which the server sends back to giaddr.
/// Needs no root: the server and the relay use an unprivileged port on two loopback addresses.
final class DemoRelay: Sendable {
    let address: IPv4Address
    let server: IPv4Address
    let port: UInt16
    private let socket: Int32
    private let waiting = Mutex<[UInt32: CheckedContinuation<DHCPv4Message?, Never>]>([:])
    private let stopped = Atomic<Bool>(false)

    init(address: IPv4Address, server: IPv4Address, port: UInt16) throws(DemoError) {
        self.address = address
        self.server = server
        self.port = port
        socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard socket >= 0 else { throw DemoError("cannot create the relay's socket: \(String(cString: strerror(errno)))") }
        // Short receive timeouts let the receiving thread notice `stop()`.
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = Self.socketAddress(address, port)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            close(socket)
            throw DemoError("the demo relay cannot bind \(address):\(port) (\(reason)); choose another --port")
        }
        let thread = Thread { [self] in receiveLoop() }
        thread.name = "lessor-demo-relay"
        thread.start()
    }

    /// Sends `message` and waits for the reply with its xid, at most `timeout`.
    func exchange(_ message: DHCPv4Message, timeout: Duration = .seconds(2)) async -> DHCPv4Message? {
        let xid = message.xid
        let timer = Task {
            // Cancelled once the reply came: then it must not end a later exchange of this xid.
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self.finish(xid, nil)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            waiting.withLock { $0[xid] = continuation }
            if !send(message) { finish(xid, nil) }
        }
    }

    /// Sends a message that takes no reply (RELEASE, DECLINE). False when the send failed.
    @discardableResult
    func send(_ message: DHCPv4Message) -> Bool {
        let bytes = message.serialize()
        var destination = Self.socketAddress(server, port)
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &destination) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(socket, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        return sent == bytes.count
    }

    /// A client message as this relay forwards it for a client on `subnet`.
    func relayed(_ type: DHCPv4MessageType, client: HardwareAddress, xid: UInt32, subnet: IPv4Address) -> DHCPv4Message {
        var message = DHCPv4Message(op: .bootRequest, xid: xid, chaddr: client, giaddr: address)
        message.hops = 1
        message.options.set(.messageType, type)
        message.options[82] = [5, 4] + subnet.bytes
        return message
    }

    /// Stops the receiving thread; waiting exchanges end with nil.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        let pending = waiting.withLock { waiting in
            defer { waiting.removeAll() }
            return Array(waiting.values)
        }
        for continuation in pending { continuation.resume(returning: nil) }
    }

    private func finish(_ xid: UInt32, _ reply: DHCPv4Message?) {
        waiting.withLock { $0.removeValue(forKey: xid) }?.resume(returning: reply)
    }

    private func receiveLoop() {
        var buffer = [UInt8](repeating: 0, count: 1500)
        while !stopped.load(ordering: .relaxed) {
            let received = recv(socket, &buffer, buffer.count, 0)
            guard received > 0, let reply = try? DHCPv4Message(parsing: buffer.prefix(received)), reply.op == .bootReply else {
                continue
            }
            finish(reply.xid, reply)
        }
        close(socket)
    }

    private static func socketAddress(_ address: IPv4Address, _ port: UInt16) -> sockaddr_in {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        socketAddress.sin_addr = in_addr(s_addr: address.rawValue.bigEndian)
        return socketAddress
    }
}

struct DemoError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
