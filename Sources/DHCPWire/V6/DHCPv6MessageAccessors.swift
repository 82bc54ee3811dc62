// Typed views of a client/server message's options. Each reads the first option of its code; absent is
// nil (or empty, or false), present but malformed throws a WireError naming the option and its offset.

extension DHCPv6ClientServerMessage {
    /// Client Identifier (1).
    public var clientID: DUID? {
        get throws(WireError) { try options.first(DHCPv6ClientIdentifier.self)?.duid }
    }

    /// Server Identifier (2).
    public var serverID: DUID? {
        get throws(WireError) { try options.first(DHCPv6ServerIdentifier.self)?.duid }
    }

    /// Every IA_NA (3), in order.
    public var iaNA: [DHCPv6IANA] {
        get throws(WireError) { try options.all(DHCPv6IANA.self) }
    }

    /// Every IA_TA (4), in order.
    public var iaTA: [DHCPv6IATA] {
        get throws(WireError) { try options.all(DHCPv6IATA.self) }
    }

    /// Every IA_PD (25), in order.
    public var iaPD: [DHCPv6IAPD] {
        get throws(WireError) { try options.all(DHCPv6IAPD.self) }
    }

    /// The codes in the Option Request option (6).
    public var oro: [DHCPv6OptionCode]? {
        get throws(WireError) { try options.first(DHCPv6OptionRequest.self)?.codes }
    }

    /// Preference (7).
    public var preference: UInt8? {
        get throws(WireError) { try options.first(DHCPv6Preference.self)?.value }
    }

    /// Elapsed Time (8), in hundredths of a second.
    public var elapsedTime: UInt16? {
        get throws(WireError) { try options.first(DHCPv6ElapsedTime.self)?.hundredths }
    }

    /// Server Unicast (12).
    public var serverUnicast: IPv6Address? {
        get throws(WireError) { try options.first(DHCPv6ServerUnicast.self)?.address }
    }

    /// Whether Rapid Commit (14) is present (its payload is not checked here).
    public var rapidCommit: Bool { options.contains(.rapidCommit) }

    /// User Class (15) data items.
    public var userClass: [[UInt8]]? {
        get throws(WireError) { try options.first(DHCPv6UserClass.self)?.classes }
    }

    /// Every Vendor Class (16): one per enterprise.
    public var vendorClasses: [DHCPv6VendorClass] {
        get throws(WireError) { try options.all(DHCPv6VendorClass.self) }
    }

    /// Every Vendor-specific Information option (17): one per enterprise.
    public var vendorOptions: [DHCPv6VendorOptions] {
        get throws(WireError) { try options.all(DHCPv6VendorOptions.self) }
    }

    /// Reconfigure Message (19): the message type a RECONFIGURE asks for.
    public var reconfigureMessage: DHCPv6MessageType? {
        get throws(WireError) { try options.first(DHCPv6ReconfigureMessage.self)?.messageType }
    }

    /// Whether Reconfigure Accept (20) is present.
    public var reconfigureAccept: Bool { options.contains(.reconfigureAccept) }

    /// DNS Recursive Name Servers (23).
    public var dnsServers: [IPv6Address]? {
        get throws(WireError) { try options.first(DHCPv6DNSServers.self)?.addresses }
    }

    /// Domain Search List (24).
    public var domainSearchList: [DomainName]? {
        get throws(WireError) { try options.first(DHCPv6DomainSearchList.self)?.domains }
    }

    /// Information Refresh Time (32), in seconds.
    public var informationRefreshTime: UInt32? {
        get throws(WireError) { try options.first(DHCPv6InformationRefreshTime.self)?.seconds }
    }

    /// Client FQDN (39).
    public var clientFQDN: DHCPv6ClientFQDN? {
        get throws(WireError) { try options.first(DHCPv6ClientFQDN.self) }
    }

    /// SOL_MAX_RT (82), in seconds.
    public var solMaxRT: UInt32? {
        get throws(WireError) { try options.first(DHCPv6SolMaxRT.self)?.seconds }
    }

    /// INF_MAX_RT (83), in seconds.
    public var infMaxRT: UInt32? {
        get throws(WireError) { try options.first(DHCPv6InfMaxRT.self)?.seconds }
    }
}
