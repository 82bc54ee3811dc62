/// A DHCPv4 message (RFC 2131 §2): the fixed BOOTP header, then options. A plain value with no I/O; parse with
/// `init(parsing:)`, write with `serialize()` or `serialize(maxMessageSize:)`.
///
/// Parsing gives the message as the client meant it: options overloaded into `file`/`sname` (option 52) are
/// moved to `options` and those fields read as empty; option 52 itself is not kept (serialising decides it anew).
/// Hence `DHCPv4Message(parsing: m.serialize()) == m` for every message, and for most real packets
/// `serialize()` gives back the very bytes parsed (see `serialize()` for when it does not).
public struct DHCPv4Message: Hashable, Sendable {
    public var op: DHCPv4OpCode
    /// hlen as on the wire: it normally follows `chaddr` (setting chaddr sets it), but a value over 16 from a
    /// broken client is kept so that the header round-trips; chaddr then holds the 16 bytes there are.
    public var hlen: UInt8
    public var hops: UInt8
    public var xid: UInt32
    /// Seconds since the client began acquiring or renewing.
    public var secs: UInt16
    /// Bit 15 is the broadcast flag (`isBroadcast`); the other bits must be zero but are kept as received.
    public var flags: UInt16
    /// Client address, set by a client that has one (renewing, rebinding, releasing, informing).
    public var ciaddr: IPv4Address
    /// "Your" address: the one the server offers or acknowledges.
    public var yiaddr: IPv4Address
    /// Next server for network boot.
    public var siaddr: IPv4Address
    /// Relay agent address; set when the message came through a relay.
    public var giaddr: IPv4Address
    /// Client hardware address, its type being htype. Setting it sets `hlen` to its length.
    public var chaddr: HardwareAddress { didSet { hlen = UInt8(chaddr.bytes.count) } }
    /// The 64-byte server host name field, raw (always 64 bytes; shorter values are zero-padded).
    public var sname: [UInt8] { didSet { sname = Self.fitted(sname, to: Self.snameLength) } }
    /// The 128-byte boot file name field, raw (always 128 bytes; shorter values are zero-padded).
    public var file: [UInt8] { didSet { file = Self.fitted(file, to: Self.fileLength) } }
    public var options: DHCPv4Options

    public init(
        op: DHCPv4OpCode, xid: UInt32, chaddr: HardwareAddress, flags: UInt16 = 0,
        ciaddr: IPv4Address = .any, yiaddr: IPv4Address = .any, siaddr: IPv4Address = .any,
        giaddr: IPv4Address = .any, options: DHCPv4Options = DHCPv4Options()
    ) {
        self.init(
            op: op, hlen: UInt8(chaddr.bytes.count), hops: 0, xid: xid, secs: 0, flags: flags,
            addresses: (ciaddr, yiaddr, siaddr, giaddr), chaddr: chaddr, sname: Self.fitted([], to: Self.snameLength),
            file: Self.fitted([], to: Self.fileLength), options: options)
    }

    /// Memberwise, for parsing; `sname` and `file` must already have their lengths.
    init(
        op: DHCPv4OpCode, hlen: UInt8, hops: UInt8, xid: UInt32, secs: UInt16, flags: UInt16,
        addresses: (ciaddr: IPv4Address, yiaddr: IPv4Address, siaddr: IPv4Address, giaddr: IPv4Address),
        chaddr: HardwareAddress, sname: [UInt8], file: [UInt8], options: DHCPv4Options
    ) {
        self.op = op
        self.hlen = hlen
        self.hops = hops
        self.xid = xid
        self.secs = secs
        self.flags = flags
        (ciaddr, yiaddr, siaddr, giaddr) = addresses
        self.chaddr = chaddr
        self.sname = sname
        self.file = file
        self.options = options
    }

    // MARK: Layout

    /// BOOTP header bytes before the magic cookie; options start after the cookie.
    public static let headerLength = 236
    public static let optionsOffset = 240
    /// The cookie 99.130.83.99 that marks the options (RFC 2131 §3).
    public static let magicCookie: UInt32 = 0x6382_5363
    /// BOOTP's minimum message (RFC 1542 §3.2.1); shorter messages are zero-padded. Some relays drop less.
    public static let minimumLength = 300
    static let snameOffset = 44
    static let snameLength = 64
    static let fileOffset = 108
    static let fileLength = 128
    /// Option 52, which says `file` (1), `sname` (2) or both (3) hold more options.
    static let overloadOption: UInt8 = 52

    /// `bytes` cut or zero-padded to `length`.
    static func fitted(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        guard bytes.count != length else { return bytes }
        return Array(bytes.prefix(length)) + Array(repeating: 0, count: max(0, length - bytes.count))
    }

    // MARK: Header conveniences

    /// The hardware type (1 = Ethernet), which is `chaddr.type`.
    public var htype: UInt8 {
        get { UInt8(truncatingIfNeeded: chaddr.type) }
        set { chaddr = HardwareAddress(type: UInt16(newValue), bytes: chaddr.bytes) ?? chaddr }
    }

    /// The broadcast flag: the client cannot receive unicast before it has an address (RFC 2131 §4.1).
    public var isBroadcast: Bool {
        get { flags & 0x8000 != 0 }
        set { flags = newValue ? flags | 0x8000 : flags & 0x7FFF }
    }

    /// `sname` as text: up to the first NUL, invalid UTF-8 replaced. Setting it writes the UTF-8 bytes, cut at a
    /// character boundary to leave room for the terminating NUL (63 bytes at most).
    public var serverName: String {
        get { DHCPv4ValueCoding.string(sname) }
        set { sname = Self.field(newValue, length: Self.snameLength) }
    }

    /// `file` as text, like `serverName` (127 bytes at most). Longer names go in option 67 instead.
    public var bootFileName: String {
        get { DHCPv4ValueCoding.string(file) }
        set { file = Self.field(newValue, length: Self.fileLength) }
    }

    private static func field(_ text: String, length: Int) -> [UInt8] {
        var bytes = Array(text.utf8)
        if bytes.count >= length {
            var cut = length - 1
            while cut > 0, bytes[cut] & 0xC0 == 0x80 { cut -= 1 }  // not inside a multi-byte character
            bytes = Array(bytes.prefix(cut))
        }
        return fitted(bytes, to: length)
    }

    // MARK: Option conveniences

    /// Option 53; nil when absent (a BOOTP message). Throws when the option is malformed.
    public var messageType: DHCPv4MessageType? { get throws(WireError) { try options.get(.messageType) } }

    /// Option 61; nil when absent (then the client is known by chaddr).
    public var clientIdentifier: DHCPv4ClientIdentifier? {
        get throws(WireError) { try options.get(.clientIdentifier) }
    }

    /// Option 50: the address a client in INIT-REBOOT or SELECTING asks for.
    public var requestedAddress: IPv4Address? { get throws(WireError) { try options.get(.requestedAddress) } }

    /// Option 54: the server a SELECTING client chose (absent from renewals, RFC 2131 §4.3.2).
    public var serverIdentifier: IPv4Address? { get throws(WireError) { try options.get(.serverIdentifier) } }
}
