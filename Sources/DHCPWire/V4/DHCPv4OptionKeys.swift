/// The options Lessor reads and writes by type (RFC 2132 unless noted). Every other code is still available raw
/// through `DHCPv4Options[code]`.
extension DHCPv4OptionKey where Value == IPv4Address {
    /// 1: must be a contiguous mask.
    public static var subnetMask: Self { Self(standard: 1, .subnetMask) }
    public static var broadcastAddress: Self { Self(standard: 28, .address) }
    public static var requestedAddress: Self { Self(standard: 50, .address) }
    public static var serverIdentifier: Self { Self(standard: 54, .address) }
    /// 118 (RFC 3011): the subnet to allocate from, sent by a client.
    public static var subnetSelection: Self { Self(standard: 118, .address) }
}

extension DHCPv4OptionKey where Value == [IPv4Address] {
    public static var routers: Self { Self(standard: 3, .addresses) }
    public static var domainNameServers: Self { Self(standard: 6, .addresses) }
    public static var ntpServers: Self { Self(standard: 42, .addresses) }
}

extension DHCPv4OptionKey where Value == String {
    public static var hostName: Self { Self(standard: 12, .text) }
    public static var domainName: Self { Self(standard: 15, .text) }
    public static var vendorClassIdentifier: Self { Self(standard: 60, .text) }
    public static var tftpServerName: Self { Self(standard: 66, .text) }
    public static var bootfileName: Self { Self(standard: 67, .text) }
}

extension DHCPv4OptionKey where Value == UInt16 {
    /// 26: at least 68.
    public static var interfaceMTU: Self { Self(standard: 26, .uint16(minimum: 68)) }
    /// 57: the largest DHCP message the client accepts; at least 576 (RFC 2132 §9.10).
    public static var maximumMessageSize: Self { Self(standard: 57, .uint16(minimum: 576)) }
}

extension DHCPv4OptionKey where Value == UInt32 {
    /// 51, in seconds; 0xffffffff means infinite.
    public static var leaseTime: Self { Self(standard: 51, .uint32) }
    /// 58, T1 in seconds.
    public static var renewalTime: Self { Self(standard: 58, .uint32) }
    /// 59, T2 in seconds.
    public static var rebindingTime: Self { Self(standard: 59, .uint32) }
}

extension DHCPv4OptionKey where Value == DHCPv4MessageType {
    public static var messageType: Self {
        Self(standard: 53, .wireValue)
    }
}

extension DHCPv4OptionKey where Value == [UInt8] {
    /// 55: the option codes the client asks for, in its order of preference.
    public static var parameterRequestList: Self { Self(standard: 55, .bytes) }
}

extension DHCPv4OptionKey where Value == DHCPv4ClientIdentifier {
    public static var clientIdentifier: Self { Self(standard: 61, .wireValue) }
}

extension DHCPv4OptionKey where Value == Bool {
    /// 80 (RFC 4039): present and empty; a two-message exchange (DISCOVER answered by ACK) is wanted or done.
    public static var rapidCommit: Self { Self(standard: 80, .flag) }
    /// 116 (RFC 2563): one byte, 1 when the client may auto-configure a link-local address, 0 when it may not.
    public static var autoConfigure: Self { Self(standard: 116, .zeroOrOne) }
}

extension DHCPv4OptionKey where Value == DHCPv4ClientFQDN {
    public static var clientFQDN: Self { Self(standard: 81, .wireValue) }
}

extension DHCPv4OptionKey where Value == DHCPv4RelayAgentInformation {
    public static var relayAgentInformation: Self { Self(standard: 82, .wireValue) }
}

extension DHCPv4OptionKey where Value == [DomainName] {
    /// 119 (RFC 3397): names in DNS wire form, compressed; pointers count from the start of the whole value.
    public static var domainSearch: Self {
        Self(
            standard: 119,
            DHCPv4ValueCoding(
                decode: { (reader, _) throws(WireError) in try DomainName.decodeCompressedList(reader.readRest()) },
                encode: DomainName.encodeCompressed))
    }
}

extension DHCPv4OptionKey where Value == [DHCPv4ClasslessRoute] {
    /// 121 (RFC 3442).
    public static var classlessStaticRoutes: Self { Self(standard: 121, .classlessRoutes) }
}

extension DHCPv4ValueCoding where Value == IPv4Address {
    static var subnetMask: Self {
        Self(
            decode: { (reader, _) throws(WireError) in
                let mask = try reader.readIPv4("")
                let hostBits = ~mask.rawValue
                guard hostBits & (hostBits &+ 1) == 0 else {
                    throw .invalid("", at: 0, "\(mask) is not a contiguous mask")
                }
                return mask
            },
            encode: { $0.bytes })
    }
}

extension DHCPv4Options {
    /// "option 51 (lease time)", or "option 200" for a code without a name here: how errors name an option.
    public static func label(of code: UInt8) -> String {
        "option \(code)" + (name(of: code).map { " (\($0))" } ?? "")
    }

    /// The RFC name of an option code, for errors and logs; nil when Lessor does not know it.
    public static func name(of code: UInt8) -> String? {
        switch code {
        case 1: "subnet mask"
        case 2: "time offset"
        case 3: "routers"
        case 4: "time servers"
        case 6: "domain name servers"
        case 7: "log servers"
        case 12: "host name"
        case 13: "boot file size"
        case 15: "domain name"
        case 17: "root path"
        case 26: "interface MTU"
        case 28: "broadcast address"
        case 33: "static routes"
        case 42: "NTP servers"
        case 43: "vendor-specific information"
        case 44: "NetBIOS name servers"
        case 46: "NetBIOS node type"
        case 47: "NetBIOS scope"
        case 50: "requested IP address"
        case 51: "lease time"
        case 52: "option overload"
        case 53: "message type"
        case 54: "server identifier"
        case 55: "parameter request list"
        case 56: "message"
        case 57: "maximum message size"
        case 58: "renewal time"
        case 59: "rebinding time"
        case 60: "vendor class identifier"
        case 61: "client identifier"
        case 66: "TFTP server name"
        case 67: "bootfile name"
        case 77: "user class"
        case 80: "rapid commit"
        case 81: "client FQDN"
        case 82: "relay agent information"
        case 90: "authentication"
        case 93: "client system architecture"
        case 94: "client network interface identifier"
        case 97: "client machine identifier"
        case 108: "IPv6-only preferred"
        case 114: "captive portal"
        case 116: "auto-configure"
        case 118: "subnet selection"
        case 119: "domain search"
        case 121: "classless static routes"
        case 124: "vendor-identifying vendor class"
        case 125: "vendor-identifying vendor-specific information"
        case 145: "forcerenew nonce capable"
        case 150: "TFTP server address"
        case 221: "virtual subnet selection"
        case 252: "web proxy auto-discovery"
        default: nil
        }
    }
}
