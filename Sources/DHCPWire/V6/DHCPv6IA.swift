/// What an identity association leases out: an address (IAADDR) or a delegated prefix (IAPREFIX).
public protocol DHCPv6IALease: DHCPv6OptionValue, DHCPv6OptionCarrier {
    /// The code of the IA with T1/T2 that holds this kind of lease (IA_NA for addresses, IA_PD for prefixes).
    static var timedIACode: DHCPv6OptionCode { get }
    var preferredLifetime: UInt32 { get }
    var validLifetime: UInt32 { get }
}

/// An identity association with renewal timers (RFC 8415 §21.4, §21.21): IAID, T1, T2, then options.
/// `DHCPv6IANA` (option 3) holds IAADDRs and `DHCPv6IAPD` (option 25) holds IAPREFIXes; the layout is the same.
public struct DHCPv6TimedIA<Lease: DHCPv6IALease>: DHCPv6OptionValue, DHCPv6OptionCarrier {
    public static var code: DHCPv6OptionCode { Lease.timedIACode }

    /// The client's identifier for this IA, unique among its IAs of the same type.
    public var iaid: UInt32
    /// Seconds until the client should RENEW with the server that gave the IA (0: the client decides).
    public var t1: UInt32
    /// Seconds until the client should REBIND with any server (0: the client decides).
    public var t2: UInt32
    /// IAADDR or IAPREFIX options, Status Code and anything else, in wire order.
    public var options: DHCPv6Options

    public init(iaid: UInt32, t1: UInt32 = 0, t2: UInt32 = 0, options: DHCPv6Options = []) {
        self.iaid = iaid
        self.t1 = t1
        self.t2 = t2
        self.options = options
    }

    /// An IA holding these leases, then the status (if any).
    public init(iaid: UInt32, t1: UInt32, t2: UInt32, leases: [Lease], status: DHCPv6StatusCode? = nil) {
        self.init(iaid: iaid, t1: t1, t2: t2, options: DHCPv6Options(leases: leases, status: status))
    }

    public init(payload reader: inout WireReader) throws(WireError) {
        iaid = try reader.readUInt32("IAID")
        t1 = try reader.readUInt32("T1")
        t2 = try reader.readUInt32("T2")
        options = try DHCPv6Options(parsing: &reader)
    }

    public func encodePayload(into writer: inout WireWriter) {
        writer.write(iaid)
        writer.write(t1)
        writer.write(t2)
        options.encode(into: &writer)
    }

    /// The IAADDR or IAPREFIX options, decoded.
    public var leases: [Lease] {
        get throws(WireError) { try options.all(Lease.self) }
    }
}

/// Identity Association for Non-temporary Addresses (option 3): the usual way a client asks for addresses.
public typealias DHCPv6IANA = DHCPv6TimedIA<DHCPv6IAAddress>

/// Identity Association for Prefix Delegation (option 25): prefixes for a requesting router.
public typealias DHCPv6IAPD = DHCPv6TimedIA<DHCPv6IAPrefix>

extension DHCPv6TimedIA where Lease == DHCPv6IAAddress {
    /// An IA_NA holding these addresses, then the status (if any).
    public init(iaid: UInt32, t1: UInt32, t2: UInt32, addresses: [DHCPv6IAAddress], status: DHCPv6StatusCode? = nil) {
        self.init(iaid: iaid, t1: t1, t2: t2, leases: addresses, status: status)
    }

    /// The IAADDR options, decoded.
    public var addresses: [DHCPv6IAAddress] {
        get throws(WireError) { try leases }
    }
}

extension DHCPv6TimedIA where Lease == DHCPv6IAPrefix {
    /// An IA_PD holding these prefixes, then the status (if any).
    public init(iaid: UInt32, t1: UInt32, t2: UInt32, prefixes: [DHCPv6IAPrefix], status: DHCPv6StatusCode? = nil) {
        self.init(iaid: iaid, t1: t1, t2: t2, leases: prefixes, status: status)
    }

    /// The IAPREFIX options, decoded.
    public var prefixes: [DHCPv6IAPrefix] {
        get throws(WireError) { try leases }
    }
}

/// Identity Association for Temporary Addresses (option 4): privacy addresses, no T1/T2.
public struct DHCPv6IATA: DHCPv6OptionValue, DHCPv6OptionCarrier {
    public static let code = DHCPv6OptionCode.iaTA
    public var iaid: UInt32
    /// IAADDR options, Status Code and anything else, in wire order.
    public var options: DHCPv6Options

    public init(iaid: UInt32, options: DHCPv6Options = []) {
        self.iaid = iaid
        self.options = options
    }

    /// An IA_TA holding these addresses, then the status (if any).
    public init(iaid: UInt32, addresses: [DHCPv6IAAddress], status: DHCPv6StatusCode? = nil) {
        self.init(iaid: iaid, options: DHCPv6Options(leases: addresses, status: status))
    }

    public init(payload reader: inout WireReader) throws(WireError) {
        iaid = try reader.readUInt32("IAID")
        options = try DHCPv6Options(parsing: &reader)
    }

    public func encodePayload(into writer: inout WireWriter) {
        writer.write(iaid)
        options.encode(into: &writer)
    }

    /// The IAADDR options, decoded.
    public var addresses: [DHCPv6IAAddress] {
        get throws(WireError) { try options.all(DHCPv6IAAddress.self) }
    }
}
