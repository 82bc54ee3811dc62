public import DHCPWire

/// The `server6` section: the DHCPv6 service (RFC 8415). Loaded and validated like `server4`.
public struct DHCPv6Configuration: Sendable, Equatable {
    public enum Listen: Sendable, Equatable {
        /// Bound to one interface and joined there to All_DHCP_Relay_Agents_and_Servers
        /// (ff02::1:2): directly attached clients multicast to it.
        case interface(String)
        /// Bound to one local address: relayed traffic only (relays unicast), or tests on loopback.
        case address(IPv6Address)
    }

    public var listen: [Listen]
    /// Server port (547); relays are answered on it too.
    public var port: UInt16
    /// The port replies to directly attached clients go to (546).
    public var clientPort: UInt16
    /// Also join All_DHCP_Servers (ff05::1:3) on the listening interfaces.
    public var siteMulticast: Bool
    /// Where the server's DUID (DUID-LLT, generated on first start) is kept; relative paths are
    /// relative to the configuration file. Default: `lessor-server-duid` beside the lease database.
    public var serverDUIDFile: String?
    /// Answer a SOLICIT with Rapid Commit by a REPLY (committing at once) when the client asks.
    public var rapidCommit: Bool
    /// Server preference option (7) in ADVERTISE; nil sends none.
    public var preference: UInt8?
    /// How long an advertised address or prefix is held for the client it was advertised to.
    public var advertiseHold: Duration
    /// How long a declined address is kept out of its pool.
    public var declineQuarantine: Duration
    public var subnets: [Subnet6Configuration]
    /// The ordered plugin chain (DESIGN.md §4).
    public var plugins: [Plugin6Configuration]

    public init(
        listen: [Listen] = [], port: UInt16 = 547, clientPort: UInt16 = 546, siteMulticast: Bool = false,
        serverDUIDFile: String? = nil, rapidCommit: Bool = true, preference: UInt8? = nil, advertiseHold: Duration = .seconds(30),
        declineQuarantine: Duration = .seconds(86_400), subnets: [Subnet6Configuration] = [], plugins: [Plugin6Configuration] = []
    ) {
        self.listen = listen
        self.port = port
        self.clientPort = clientPort
        self.siteMulticast = siteMulticast
        self.serverDUIDFile = serverDUIDFile
        self.rapidCommit = rapidCommit
        self.preference = preference
        self.advertiseHold = advertiseHold
        self.declineQuarantine = declineQuarantine
        self.subnets = subnets
        self.plugins = plugins
    }
}

/// An inclusive IPv6 address range, "2001:db8:1::100-2001:db8:1::1ff".
public struct IPv6Range: Sendable, Hashable, CustomStringConvertible {
    public let first: IPv6Address
    public let last: IPv6Address

    public init?(first: IPv6Address, last: IPv6Address) {
        guard first <= last else { return nil }
        self.first = first
        self.last = last
    }

    public init?(_ text: some StringProtocol) {
        let parts = String(text).split(separator: "-")
        guard parts.count == 2,
              let first = IPv6Address(String(parts[0]).trimmingCharacters(in: " ")),
              let last = IPv6Address(String(parts[1]).trimmingCharacters(in: " "))
        else { return nil }
        self.init(first: first, last: last)
    }

    public var description: String { "\(first)-\(last)" }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var text = Substring(self)
        while text.first == set { text = text.dropFirst() }
        while text.last == set { text = text.dropLast() }
        return String(text)
    }
}

/// Lifetimes handed out with an address or prefix. T1/T2 default to 0.5 and 0.8 of the
/// preferred lifetime (RFC 8415 §21.4 recommends those ratios) when absent.
public struct Lifetimes6: Sendable, Equatable {
    public var preferred: Duration
    public var valid: Duration
    public var renewal: Duration?
    public var rebinding: Duration?

    public init(preferred: Duration, valid: Duration, renewal: Duration? = nil, rebinding: Duration? = nil) {
        self.preferred = preferred
        self.valid = valid
        self.renewal = renewal
        self.rebinding = rebinding
    }
}

/// A pool of delegated prefixes: `prefix` cut into prefixes of `delegatedLength`, minus `excluded`.
public struct PrefixPool6Configuration: Sendable, Equatable {
    public var prefix: IPv6Prefix
    public var delegatedLength: Int
    public var excluded: [IPv6Prefix]
    /// Overrides the subnet's lifetimes for delegated prefixes.
    public var lifetimes: Lifetimes6?

    public init(prefix: IPv6Prefix, delegatedLength: Int, excluded: [IPv6Prefix] = [], lifetimes: Lifetimes6? = nil) {
        self.prefix = prefix
        self.delegatedLength = delegatedLength
        self.excluded = excluded
        self.lifetimes = lifetimes
    }
}

/// One IPv6 link (or set of links behind a relay) and what its clients get.
public struct Subnet6Configuration: Sendable, Equatable {
    public var name: String
    /// The on-link prefix. A relayed request selects the subnet whose prefix contains the
    /// relay's link-address; a direct one the subnet of its receiving interface.
    public var prefix: IPv6Prefix
    public var interface: String?
    /// Subnets on one link (several prefixes): a client may get addresses from any of them.
    public var sharedNetwork: String?
    /// IA_NA pools (`range6`).
    public var pools: [IPv6Range]
    /// IA_TA pools (`privacy`): short-lived temporary addresses.
    public var temporaryPools: [IPv6Range]
    /// IA_PD pools (`prefix`).
    public var prefixPools: [PrefixPool6Configuration]
    /// Lifetimes of addresses (and prefixes unless their pool overrides them).
    public var lifetimes: Lifetimes6
    /// Lifetimes of temporary addresses (shorter: RFC 8981 suggests a day preferred, two valid).
    public var temporaryLifetimes: Lifetimes6
    public var dnsServers: [IPv6Address]
    public var domainSearch: [String]
    /// Any other options: code and a typed value.
    public var options: [Option6Configuration]

    public init(
        name: String, prefix: IPv6Prefix, interface: String? = nil, sharedNetwork: String? = nil, pools: [IPv6Range] = [],
        temporaryPools: [IPv6Range] = [], prefixPools: [PrefixPool6Configuration] = [],
        lifetimes: Lifetimes6 = Lifetimes6(preferred: .seconds(3600), valid: .seconds(7200)),
        temporaryLifetimes: Lifetimes6 = Lifetimes6(preferred: .seconds(1800), valid: .seconds(3600)),
        dnsServers: [IPv6Address] = [], domainSearch: [String] = [], options: [Option6Configuration] = []
    ) {
        self.name = name
        self.prefix = prefix
        self.interface = interface
        self.sharedNetwork = sharedNetwork
        self.pools = pools
        self.temporaryPools = temporaryPools
        self.prefixPools = prefixPools
        self.lifetimes = lifetimes
        self.temporaryLifetimes = temporaryLifetimes
        self.dnsServers = dnsServers
        self.domainSearch = domainSearch
        self.options = options
    }
}

/// A DHCPv6 option given in the configuration: a 16-bit code and a typed value.
public struct Option6Configuration: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case addresses([IPv6Address])
        case uint8(UInt8)
        case uint16(UInt16)
        case uint32(UInt32)
        case domains([String])
        case hex([UInt8])
    }

    public var code: UInt16
    public var value: Value

    public init(code: UInt16, value: Value) {
        self.code = code
        self.value = value
    }
}

public struct Plugin6Configuration: Sendable, Equatable {
    public enum Name: String, Sendable, CaseIterable {
        /// Server identifier (the DUID), and the checks of which messages are for this server.
        case serverID = "server_id"
        /// Preferred/valid lifetimes and T1/T2.
        case leaseTime = "lease_time"
        /// Reservations: DUID or MAC → addresses and prefixes, from a file reloaded on change.
        case static6
        /// IA_NA from the subnet's pools.
        case range6
        /// IA_PD from the subnet's prefix pools.
        case prefix
        /// IA_TA: short-lived, rotating temporary addresses.
        case privacy
        /// DNS recursive name servers (option 23).
        case dns6
        /// Domain search list (option 24).
        case domainSearch6 = "domain_search6"
        /// Options for every reply (subnets add their own).
        case option
        /// Delays each request (testing).
        case sleep
    }

    public var name: Name
    /// `static6`: the reservations file.
    public var file: String?
    /// `sleep`: how long to delay each request.
    public var delay: Duration?
    /// `option`: options added to every reply.
    public var options: [Option6Configuration]
    /// Where the entry is in the configuration file, for messages.
    public var location: String

    public init(name: Name, file: String? = nil, delay: Duration? = nil, options: [Option6Configuration] = [], location: String = "") {
        self.name = name
        self.file = file
        self.delay = delay
        self.options = options
        self.location = location
    }
}
