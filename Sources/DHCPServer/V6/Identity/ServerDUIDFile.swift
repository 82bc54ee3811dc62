public import DHCPWire
public import Foundation

/// The server's DUID (RFC 8415 §11): generated once — DUID-LLT from the first non-loopback
/// interface's link-layer address, else DUID-UUID — and kept in a file, so clients recognise the
/// server across restarts. The file holds the DUID in hex on one line.
public enum ServerDUIDFile {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Where the DUID is kept when `server_duid_file` is not set: beside the SQLite database, or in
    /// the working directory for a memory store.
    public static func defaultPath(for store: StoreConfiguration, workingDirectory: String = FileManager.default.currentDirectoryPath)
        -> String
    {
        let name = "lessor-server-duid"
        switch store.provider {
        case .sqlite(let path, _):
            let directory = (path as NSString).deletingLastPathComponent
            return directory.isEmpty ? name : directory + "/" + name
        default:
            return workingDirectory + "/" + name
        }
    }

    /// Reads the DUID from `path`, or generates and stores one when the file does not exist.
    /// A file that exists but does not hold a DUID is an error naming the file (never overwritten:
    /// the operator may have put it there).
    public static func loadOrCreate(
        path: String, now: Date = Date(), linkLayerAddress: () -> HardwareAddress? = firstInterfaceAddress
    ) throws(Failure) -> DUID {
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Failure(description: "\(path): cannot read the server DUID file")
            }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let bytes = [UInt8](hex: text), let duid = try? DUID(bytes: bytes) else {
                throw Failure(
                    description: "\(path): not a server DUID (expected 2 to 130 bytes in hex, like 000100012c3a…); "
                        + "fix the file or remove it to generate a new DUID")
            }
            return duid
        }
        let duid = generate(now: now, linkLayerAddress: linkLayerAddress())
        let temporary = path + ".tmp"
        do {
            try Data((duid.description + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw Failure(description: "\(path): cannot store the server DUID: \(error.localizedDescription)")
        }
        return duid
    }

    /// DUID-LLT (type 1) for `linkLayerAddress` at `now`, or DUID-UUID (type 4) without one.
    public static func generate(now: Date, linkLayerAddress: HardwareAddress?) -> DUID {
        if let address = linkLayerAddress {
            // Seconds since 2000-01-01 00:00 UTC, modulo 2^32.
            let time = UInt32(truncatingIfNeeded: Int64(now.timeIntervalSince1970) - 946_684_800)
            let bytes: [UInt8] =
                [0, 1, UInt8(address.type >> 8), UInt8(truncatingIfNeeded: address.type)]
                + (0..<4).map { UInt8(truncatingIfNeeded: time >> (24 - 8 * $0)) } + address.bytes
            if let duid = try? DUID(bytes: bytes) { return duid }
        }
        let uuid = UUID().uuid
        let uuidBytes = withUnsafeBytes(of: uuid) { Array($0) }
        // Always 18 bytes of type 4: valid by construction.
        return (try? DUID(bytes: [0, 4] + uuidBytes)) ?? DUID.linkLayer(HardwareAddress(type: 1, bytes: [0, 0, 0, 0, 0, 1])!)
    }

    /// The Ethernet address of the first non-loopback interface (by name) with a non-zero one.
    public static func firstInterfaceAddress() -> HardwareAddress? {
        let base = "/sys/class/net"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return nil }
        for name in names.sorted() where name != "lo" {
            guard let data = FileManager.default.contents(atPath: "\(base)/\(name)/address") else { continue }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let bytes = [UInt8](hex: text), bytes.count == 6, bytes.contains(where: { $0 != 0 }) else { continue }
            return HardwareAddress(type: 1, bytes: bytes)
        }
        return nil
    }
}
