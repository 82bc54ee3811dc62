import DHCPWire
import Foundation

/// A deterministic stream of malformed and truncated DHCPv6 datagrams, the DHCPv6 sibling of
/// scripts/it/malformed.py: mutations of the captured messages in
/// Tests/DHCPWireTests/Fixtures/v6 and a few hand-built breakages, cycling through these kinds:
///
///   truncated     a captured message cut short anywhere
///   flipped       a captured message with 1 to 8 bits flipped
///   optionLength  a captured message whose first option claims more bytes than there are
///   random        random bytes, 0 to 1500 of them
///   empty         a zero-length datagram, or one byte
///   deepRelay     a SOLICIT inside ten Relay-Forwards (more than HOP_COUNT_LIMIT allows)
///   relayHeader   a Relay-Forward with no Relay Message option, or cut inside its header
///   relayedBroken a well-formed Relay-Forward for link A around a truncated SOLICIT
///   shortIA       a SOLICIT with a second IA_NA too short to hold an IAID, T1 and T2
///
/// Every address in a built packet is a documentation address (2001:db8::/32) or link-local.
enum MalformedV6 {
    static func stream(count: Int, seed: UInt64) throws -> [[UInt8]] {
        let directory = Paths.fixtures + "/v6"
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".bin") }.sorted()
        let fixtures = try names.map { Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0))) }
        guard !fixtures.isEmpty else { throw LabError("no DHCPv6 fixtures in \(directory)") }
        var generator = SplitMix64(seed: seed)
        let solicit = CraftedRelay6.message(.solicit, mac: 0x99, xid: 0x0f_0001).serialize()
        let kinds = 9
        return (0..<count).map { index in
            let base = fixtures.randomElement(using: &generator)!
            switch index % kinds {
            case 0:
                return Array(base.prefix(Int.random(in: 0..<base.count, using: &generator)))
            case 1:
                var packet = base
                for _ in 0..<Int.random(in: 1...8, using: &generator) {
                    packet[Int.random(in: 0..<packet.count, using: &generator)] ^= 1 << UInt8.random(in: 0...7, using: &generator)
                }
                return packet
            case 2:
                // The first option's length: after the 4-byte header, or the 34-byte relay header.
                var packet = base
                let lengthAt = (packet[0] == 12 || packet[0] == 13 ? 34 : 4) + 2
                guard packet.count >= lengthAt + 2 else { return packet }
                let claimed = UInt16(packet.count) + UInt16.random(in: 1...400, using: &generator)
                packet[lengthAt] = UInt8(claimed >> 8)
                packet[lengthAt + 1] = UInt8(claimed & 0xFF)
                return packet
            case 3:
                return (0..<Int.random(in: 0...1500, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            case 4:
                return Bool.random(using: &generator) ? [] : [UInt8.random(in: 0...255, using: &generator)]
            case 5:
                var packet = solicit
                for hop in 0..<10 { packet = relayForward(hop: UInt8(hop), around: packet) }
                return packet
            case 6:
                let full = relayForward(hop: 0, around: solicit)
                return Bool.random(using: &generator)
                    ? Array(full.prefix(34)) + [0, 18, 0, 2, 0x65, 0x30]  // an Interface-Id, no Relay Message
                    : Array(full.prefix(Int.random(in: 1..<34, using: &generator)))
            case 7:
                return relayForward(hop: 0, around: Array(solicit.prefix(Int.random(in: 1..<solicit.count, using: &generator))))
            default:
                // The SOLICIT as built, then a second IA_NA of 5 bytes.
                return solicit + [0, 3, 0, 5, 0, 0, 0, 2, 0]
            }
        }
    }

    /// A Relay-Forward for link A (2001:db8:a::1) from a link-local peer around `inner`, whatever it holds.
    static func relayForward(hop: UInt8, around inner: [UInt8]) -> [UInt8] {
        [12, hop] + IPv6Address("2001:db8:a::1")!.bytes + CraftedRelay6.clientLinkLocal.bytes
            + [0, 9, UInt8(inner.count >> 8), UInt8(inner.count & 0xFF)] + inner
    }
}
