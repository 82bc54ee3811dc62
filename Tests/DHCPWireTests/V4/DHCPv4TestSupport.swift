import DHCPWire
import Foundation
import Testing

enum Bytes {
    static func zeros(_ count: Int) -> [UInt8] { Array(repeating: 0, count: count) }

    /// Bytes from hex text with optional separators; records an issue for malformed text.
    static func hex(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
        guard let bytes = [UInt8](hex: text) else {
            Issue.record("bad hex in test: \(text)", sourceLocation: sourceLocation)
            return []
        }
        return bytes
    }

    static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
}

/// The fixed BOOTP header and magic cookie, for tests that care only about the options after them.
func dhcpv4Header(
    xid: UInt32 = 0x1234_5678, ciaddr: [UInt8] = [0, 0, 0, 0], giaddr: [UInt8] = [0, 0, 0, 0],
    sname: [UInt8] = Bytes.zeros(64), file: [UInt8] = Bytes.zeros(128)
) -> [UInt8] {
    var bytes: [UInt8] = [1, 1, 6, 0]  // op BOOTREQUEST, htype Ethernet, hlen 6, hops 0
    bytes += [UInt8(xid >> 24), UInt8(xid >> 16 & 0xFF), UInt8(xid >> 8 & 0xFF), UInt8(xid & 0xFF)]
    bytes += [0, 0, 0, 0]  // secs, flags
    bytes += ciaddr + Bytes.zeros(8) + giaddr  // ciaddr, yiaddr, siaddr, giaddr
    bytes += [0x52, 0x54, 0x00, 0x12, 0x34, 0x56] + Bytes.zeros(10)  // chaddr
    bytes += sname + file
    bytes += [99, 130, 83, 99]  // magic cookie
    return bytes
}

/// A BOOTREQUEST with `options` (END added) padded to 300 bytes.
func dhcpv4Packet(options: [UInt8], sname: [UInt8] = Bytes.zeros(64), file: [UInt8] = Bytes.zeros(128)) -> [UInt8] {
    let bytes = dhcpv4Header(sname: sname, file: file) + options + [255]
    return bytes + Bytes.zeros(max(0, 300 - bytes.count))
}

/// The WireError `body` throws, or nil (with an issue recorded) when it throws nothing or something else.
func wireError<T>(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T) -> WireError? {
    do {
        _ = try body()
        Issue.record("expected a WireError", sourceLocation: sourceLocation)
    } catch let error as WireError {
        return error
    } catch {
        Issue.record("expected a WireError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
