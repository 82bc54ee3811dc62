public import DHCPWire
import Foundation

/// A compact binary form of `Lease` for providers that store whole leases as blobs (SQLite,
/// PostgreSQL). Several times faster than JSON, which matters because every write decodes
/// the client's current leases. Format version 1; decoding checks every length.
public enum LeaseBinaryCodec {
    static let formatVersion: UInt8 = 1

    public static func encode(_ lease: Lease) -> [UInt8] {
        var out = WireWriter(capacity: 96)
        out.write(formatVersion)
        out.write(lease.kind.rawValue)
        out.write(lease.iaid)
        out.write(lease.state.rawValue)
        writeDate(lease.expiresAt, &out)
        writeString(lease.owner, &out)
        writeOptionalString(lease.hostname, &out)
        writeOptionalString(lease.pool, &out)
        writeUInt64(lease.version, &out)
        writeDate(lease.updatedAt, &out)
        out.write(UInt16(clamping: lease.elements.count))
        for element in lease.elements.prefix(Int(UInt16.max)) {
            let key = element.resource.storageKey
            out.write(UInt8(key.count))
            out.write(bytes: key)
            writeOptionalDate(element.preferredUntil, &out)
            writeOptionalDate(element.validUntil, &out)
        }
        let attachments = lease.attachments.sorted { $0.key < $1.key }
        out.write(UInt16(clamping: attachments.count))
        for (owner, data) in attachments.prefix(Int(UInt16.max)) {
            writeString(owner, &out)
            out.write(UInt32(clamping: data.count))
            out.write(bytes: data)
        }
        return out.bytes
    }

    public static func decode(_ bytes: some Collection<UInt8>) throws(WireError) -> Lease {
        var reader = WireReader(bytes)
        let format = try reader.readUInt8("format")
        guard format == formatVersion else { throw .invalid("format", at: 0, "unknown lease format \(format)") }
        guard let kind = LeaseKind(rawValue: try reader.readUInt8("kind")) else { throw .invalid("kind", at: 1, "unknown lease kind") }
        let iaid = try reader.readUInt32("iaid")
        let stateOffset = reader.offset
        guard let state = LeaseState(rawValue: try reader.readUInt8("state")) else {
            throw .invalid("state", at: stateOffset, "unknown lease state")
        }
        let expiresAt = try readDate(&reader, "expiresAt")
        let owner = try readString(&reader, "owner")
        let hostname = try readOptionalString(&reader, "hostname")
        let pool = try readOptionalString(&reader, "pool")
        let version = try readUInt64(&reader, "version")
        let updatedAt = try readDate(&reader, "updatedAt")
        var elements: [LeaseElement] = []
        for _ in 0..<(try reader.readUInt16("element count")) {
            let offset = reader.offset
            let length = Int(try reader.readUInt8("resource length"))
            let key = try reader.readBytes(length, "resource")
            guard let resource = resource(fromKey: key) else { throw .invalid("resource", at: offset, "not an address or prefix") }
            elements.append(LeaseElement(
                resource, preferredUntil: try readOptionalDate(&reader, "preferredUntil"),
                validUntil: try readOptionalDate(&reader, "validUntil")))
        }
        var attachments: [String: Data] = [:]
        for _ in 0..<(try reader.readUInt16("attachment count")) {
            let owner = try readString(&reader, "attachment owner")
            let length = Int(try reader.readUInt32("attachment length"))
            attachments[owner] = Data(try reader.readBytes(length, "attachment"))
        }
        var lease = Lease(
            kind: kind, iaid: iaid, elements: elements, state: state, expiresAt: expiresAt, owner: owner,
            attachments: attachments, hostname: hostname, pool: pool)
        lease.version = version
        lease.updatedAt = updatedAt
        return lease
    }

    static func resource(fromKey key: [UInt8]) -> LeaseResource? {
        switch (key.first, key.count) {
        case (4, 5): IPv4Address(bytes: key[1...]).map(LeaseResource.ipv4)
        case (6, 17): IPv6Address(bytes: key[1...]).map(LeaseResource.ipv6)
        case (7, 18): IPv6Address(bytes: key[1..<17]).flatMap { IPv6Prefix(address: $0, length: Int(key[17])) }.map(LeaseResource.prefix)
        default: nil
        }
    }

    private static func writeUInt64(_ value: UInt64, _ out: inout WireWriter) {
        out.write(UInt32(truncatingIfNeeded: value >> 32))
        out.write(UInt32(truncatingIfNeeded: value))
    }

    private static func readUInt64(_ reader: inout WireReader, _ field: String) throws(WireError) -> UInt64 {
        UInt64(try reader.readUInt32(field)) << 32 | UInt64(try reader.readUInt32(field))
    }

    private static func writeDate(_ date: Date, _ out: inout WireWriter) {
        writeUInt64(date.timeIntervalSinceReferenceDate.bitPattern, &out)
    }

    private static func readDate(_ reader: inout WireReader, _ field: String) throws(WireError) -> Date {
        Date(timeIntervalSinceReferenceDate: Double(bitPattern: try readUInt64(&reader, field)))
    }

    private static func writeOptionalDate(_ date: Date?, _ out: inout WireWriter) {
        out.write(UInt8(date == nil ? 0 : 1))
        if let date { writeDate(date, &out) }
    }

    private static func readOptionalDate(_ reader: inout WireReader, _ field: String) throws(WireError) -> Date? {
        try reader.readUInt8(field) == 0 ? nil : try readDate(&reader, field)
    }

    private static func writeString(_ text: String, _ out: inout WireWriter) {
        let utf8 = Array(text.utf8.prefix(Int(UInt16.max)))
        out.write(UInt16(utf8.count))
        out.write(bytes: utf8)
    }

    private static func readString(_ reader: inout WireReader, _ field: String) throws(WireError) -> String {
        let length = Int(try reader.readUInt16(field))
        return String(decoding: try reader.readBytes(length, field), as: UTF8.self)
    }

    private static func writeOptionalString(_ text: String?, _ out: inout WireWriter) {
        out.write(UInt8(text == nil ? 0 : 1))
        if let text { writeString(text, &out) }
    }

    private static func readOptionalString(_ reader: inout WireReader, _ field: String) throws(WireError) -> String? {
        try reader.readUInt8(field) == 0 ? nil : try readString(&reader, field)
    }
}
