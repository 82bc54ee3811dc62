extension DHCPv4Message {
    /// Parses a DHCPv4 message (a UDP payload). Every read is bounds-checked: any input either parses or throws a
    /// `WireError` naming the field and its offset.
    ///
    /// The magic cookie must follow the 236-byte header. Options are read until END (bytes after it are ignored:
    /// many clients pad) or the end of the buffer (a missing END is tolerated); an option whose length runs past
    /// the end is an error. When option 52 asks for it, options continue in `file`, then `sname` (RFC 2131 §4.1),
    /// which then read as empty. Option values are not decoded here; `options.get` checks each when asked.
    public init(parsing bytes: some Collection<UInt8>) throws(WireError) {
        var reader = WireReader(bytes)
        let op = DHCPv4OpCode(rawValue: try reader.readUInt8("op"))
        let htype = try reader.readUInt8("htype")
        let hlenOffset = reader.offset
        let hlen = try reader.readUInt8("hlen")
        let hops = try reader.readUInt8("hops")
        let xid = try reader.readUInt32("xid")
        let secs = try reader.readUInt16("secs")
        let flags = try reader.readUInt16("flags")
        let addresses = (
            ciaddr: try reader.readIPv4("ciaddr"), yiaddr: try reader.readIPv4("yiaddr"),
            siaddr: try reader.readIPv4("siaddr"), giaddr: try reader.readIPv4("giaddr")
        )
        let hardware = try reader.readBytes(16, "chaddr")
        guard let chaddr = HardwareAddress(type: UInt16(htype), bytes: Array(hardware.prefix(Int(hlen)))) else {
            throw .invalid("hlen", at: hlenOffset, "\(hlen) is over 16")  // cannot happen: prefix(16) fits
        }
        var sname = try reader.readBytes(Self.snameLength, "sname")
        var file = try reader.readBytes(Self.fileLength, "file")
        let cookieOffset = reader.offset
        let cookie = try reader.readUInt32("magic cookie")
        guard cookie == Self.magicCookie else {
            throw .invalid("magic cookie", at: cookieOffset, "\(IPv4Address(cookie)) is not 99.130.83.99")
        }
        var options = DHCPv4Options()
        try options.parse(&reader, inOverload: false)
        if let overload = options.removeOverload() {
            if overload & 1 != 0 {
                var fileReader = WireReader(file, base: Self.fileOffset)
                try options.parse(&fileReader, inOverload: true)
                file = Self.fitted([], to: Self.fileLength)
            }
            if overload & 2 != 0 {
                var snameReader = WireReader(sname, base: Self.snameOffset)
                try options.parse(&snameReader, inOverload: true)
                sname = Self.fitted([], to: Self.snameLength)
            }
        }
        self.init(
            op: op, hlen: hlen, hops: hops, xid: xid, secs: secs, flags: flags, addresses: addresses,
            chaddr: chaddr, sname: sname, file: file, options: options)
    }

    /// The message on the wire: header, cookie, options in their stored order (values over 255 bytes split into
    /// consecutive instances), END, and zero padding up to 300 bytes.
    ///
    /// This is the packet parsed, byte for byte, unless it had: pad options or repeated codes among its options,
    /// option overload, non-zero bytes after END or in chaddr past hlen, or fewer than 300 bytes.
    public func serialize() -> [UInt8] {
        var writer = WireWriter(capacity: max(Self.minimumLength, Self.optionsOffset + options.wireLength + 1))
        writeHeader(to: &writer, sname: sname, file: file)
        options.write(to: &writer)
        writer.write(DHCPv4Options.end)
        return Self.padded(writer.bytes)
    }

    /// Bytes of the IP and UDP headers in front of a DHCP message.
    public static let ipUDPHeaderLength = 28
    /// What a client that sends no option 57 can take (RFC 2131 §2), counted as option 57 counts.
    public static let defaultMaxMessageSize = 576

    /// Like `serialize()`, but fits the message within `maxMessageSize`, overloading options into `file` and then
    /// `sname` (option 52, RFC 2131 §4.1, RFC 2132 §9.3) where those fields are empty and the options field alone
    /// is too small.
    ///
    /// `maxMessageSize` is the client's option 57, or `defaultMaxMessageSize`. It counts as in RFC 2131 and ISC
    /// dhcpd: the IP datagram, so a message gets 28 bytes less; values below 576 count as 576 (548 bytes of DHCP,
    /// the 312-byte options field RFC 2131 §2 promises every client).
    ///
    /// Options stay in order; one that would not fit is split (RFC 3396) only when it is over 255 bytes or too long
    /// for the next area whole. Throws `.tooLong` when even overloading is not enough (or is impossible: the fields
    /// hold names, or the options hold a malformed option 52 kept from a parsed packet).
    public func serialize(maxMessageSize: Int) throws(WireError) -> [UInt8] {
        let limit = max(maxMessageSize, Self.defaultMaxMessageSize) - Self.ipUDPHeaderLength
        let plainLength = Self.optionsOffset + options.wireLength + 1
        guard plainLength > limit else { return serialize() }

        // The options field keeps room for option 52 (3 bytes) and END; file and sname for END. A malformed
        // option 52 kept from a parsed packet would merge with a new one, so it rules overloading out.
        var areas = [OverloadArea(field: 0, capacity: limit - Self.optionsOffset - 4)]
        let canOverload = !options.contains(Self.overloadOption)
        if canOverload, file.allSatisfy({ $0 == 0 }) {
            areas.append(OverloadArea(field: 1, capacity: Self.fileLength - 1))
        }
        if canOverload, sname.allSatisfy({ $0 == 0 }) {
            areas.append(OverloadArea(field: 2, capacity: Self.snameLength - 1))
        }
        guard Self.pack(options, into: &areas) else {
            throw WireError(offset: Self.optionsOffset, field: "options", reason: .tooLong(plainLength))
        }

        var overload: UInt8 = 0
        var fileField = file
        var snameField = sname
        for area in areas.dropFirst() where !area.bytes.isEmpty {
            overload |= area.field
            if area.field == 1 { fileField = Self.fitted(area.bytes + [DHCPv4Options.end], to: Self.fileLength) }
            if area.field == 2 { snameField = Self.fitted(area.bytes + [DHCPv4Options.end], to: Self.snameLength) }
        }
        var writer = WireWriter(capacity: limit)
        writeHeader(to: &writer, sname: snameField, file: fileField)
        writer.write(bytes: areas[0].bytes)
        if overload != 0 { writer.write(bytes: [Self.overloadOption, 1, overload]) }
        writer.write(DHCPv4Options.end)
        return Self.padded(writer.bytes)
    }

    /// Where overloaded options go: the options field (0), `file` (1) or `sname` (2).
    private struct OverloadArea {
        let field: UInt8
        let capacity: Int
        var bytes: [UInt8] = []
        var free: Int { capacity - bytes.count }

        mutating func write(_ code: UInt8, _ data: ArraySlice<UInt8>) {
            bytes.append(code)
            bytes.append(UInt8(data.count))
            bytes.append(contentsOf: data)
        }
    }

    /// Places the options, in order, area after area; false when they do not all fit.
    private static func pack(_ options: DHCPv4Options, into areas: inout [OverloadArea]) -> Bool {
        var current = 0
        for option in options {
            var rest = option.data[...]
            var written = false
            while !written || !rest.isEmpty {
                guard current < areas.count else { return false }
                let free = areas[current].free
                let whole = min(rest.count, 255)
                if whole + 2 <= free {
                    areas[current].write(option.code, rest.prefix(whole))
                    rest = rest.dropFirst(whole)
                    written = true
                    continue
                }
                let nextCapacity = current + 1 < areas.count ? areas[current + 1].capacity : 0
                if whole + 2 > nextCapacity, free > 2 {
                    areas[current].write(option.code, rest.prefix(free - 2))
                    rest = rest.dropFirst(free - 2)
                    written = true
                }
                current += 1
            }
        }
        return true
    }

    private func writeHeader(to writer: inout WireWriter, sname: [UInt8], file: [UInt8]) {
        writer.write(op.rawValue)
        writer.write(htype)
        writer.write(hlen)
        writer.write(hops)
        writer.write(xid)
        writer.write(secs)
        writer.write(flags)
        writer.write(ciaddr)
        writer.write(yiaddr)
        writer.write(siaddr)
        writer.write(giaddr)
        writer.write(bytes: Self.fitted(chaddr.bytes, to: 16))
        writer.write(bytes: sname)
        writer.write(bytes: file)
        writer.write(Self.magicCookie)
    }

    private static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes.count >= minimumLength ? bytes : fitted(bytes, to: minimumLength)
    }
}

extension DHCPv4Message {
    /// The message type (option 53) found by walking the options field without parsing the
    /// message: for load shedding before the real parse. Nil when absent or malformed.
    public static func peekMessageType(_ bytes: [UInt8]) -> DHCPv4MessageType? {
        var index = 240  // header (236) + magic cookie (4)
        guard bytes.count > index, bytes[236] == 99, bytes[237] == 130, bytes[238] == 83, bytes[239] == 99 else { return nil }
        while index < bytes.count {
            let code = bytes[index]
            if code == 0 {
                index += 1
                continue
            }
            if code == 255 || index + 1 >= bytes.count { return nil }
            let length = Int(bytes[index + 1])
            if code == 53, length == 1, index + 2 < bytes.count { return DHCPv4MessageType(rawValue: bytes[index + 2]) }
            index += 2 + length
        }
        return nil
    }
}
