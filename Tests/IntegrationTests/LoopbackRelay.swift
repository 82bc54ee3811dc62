import DHCPWire
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A DHCPv4 relay agent on loopback, for tests that need no namespace or root: it sends
/// client messages as a relay would (giaddr set, option 82 with a link-selection sub-option
/// naming the client's subnet) and receives the server's replies, which come back to giaddr.
final class LoopbackRelay {
    let address: IPv4Address
    let port: UInt16
    private let socket: Int32

    init(address: IPv4Address = IPv4Address(127, 0, 0, 1), port: UInt16) throws {
        self.address = address
        self.port = port
        socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard socket >= 0 else { throw RelayError("socket: \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = Self.socketAddress(address, port)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw RelayError("bind \(address):\(port): errno \(errno)") }
    }

    deinit { close(socket) }

    /// Sends `message` to the server and waits up to `attempts` × 200 ms for the reply with its xid.
    func exchange(_ message: DHCPv4Message, server: IPv4Address, serverPort: UInt16, attempts: Int = 25) throws -> DHCPv4Message? {
        let bytes = message.serialize()
        var destination = Self.socketAddress(server, serverPort)
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &destination) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(socket, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard sent == bytes.count else { throw RelayError("sendto: errno \(errno)") }
        var buffer = [UInt8](repeating: 0, count: 1500)
        for _ in 0..<attempts {
            let received = recv(socket, &buffer, buffer.count, 0)
            guard received > 0 else { continue }
            if let reply = try? DHCPv4Message(parsing: buffer.prefix(received)), reply.xid == message.xid { return reply }
        }
        return nil
    }

    /// A client message as relayed for `subnet` (link selection, RFC 3527).
    func relayed(_ type: DHCPv4MessageType, mac: UInt8, xid: UInt32, subnet: IPv4Address, requested: IPv4Address? = nil,
                 server: IPv4Address? = nil) -> DHCPv4Message {
        var message = DHCPv4Message(
            op: .bootRequest, xid: xid, chaddr: HardwareAddress(bytes: [0, 0, 0x5e, 0, 0x53, mac])!, giaddr: address)
        message.hops = 1
        message.options.set(.messageType, type)
        if let requested { message.options.set(.requestedAddress, requested) }
        if let server { message.options.set(.serverIdentifier, server) }
        message.options[82] = [5, 4] + subnet.bytes
        return message
    }

    private static func socketAddress(_ address: IPv4Address, _ port: UInt16) -> sockaddr_in {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        socketAddress.sin_addr = in_addr(s_addr: address.rawValue.bigEndian)
        return socketAddress
    }
}

struct RelayError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
