public import DHCPWire
public import LessorControl

/// Everything `lessor serve` is told by its YAML file. Values are validated when loaded
/// (`ConfigurationLoader`), so the server can trust them.
public struct ServerConfiguration: Sendable, Equatable {
    public var store: StoreConfiguration
    public var server4: DHCPv4Configuration?
    /// The DHCPv6 service; nil when the file has no `server6` section.
    public var server6: DHCPv6Configuration?
    public var logLevel: String
    /// The control socket; nil when `control: {enabled: false}`.
    public var control: ControlServerConfiguration?

    public init(
        store: StoreConfiguration = StoreConfiguration(), server4: DHCPv4Configuration? = nil,
        server6: DHCPv6Configuration? = nil, logLevel: String = "info",
        control: ControlServerConfiguration? = ControlServerConfiguration()
    ) {
        self.store = store
        self.server4 = server4
        self.server6 = server6
        self.logLevel = logLevel
        self.control = control
    }
}

public struct StoreConfiguration: Sendable, Equatable {
    public enum Provider: Sendable, Equatable {
        case memory
        /// `synchronous` is "full", "normal" or "off".
        case sqlite(path: String, synchronous: String)
    }

    public var provider: Provider
    /// How long an expired lease stays reserved for its client.
    public var expiredHold: Duration
    public var tokenTimeout: Duration
    public var reclaimInterval: Duration
    public var reclaimMaxLeases: Int
    public var reclaimMaxTime: Duration

    public init(
        provider: Provider = .sqlite(path: "lessor-leases.sqlite", synchronous: "full"), expiredHold: Duration = .seconds(3600),
        tokenTimeout: Duration = .seconds(10), reclaimInterval: Duration = .seconds(1), reclaimMaxLeases: Int = 100,
        reclaimMaxTime: Duration = .milliseconds(250)
    ) {
        self.provider = provider
        self.expiredHold = expiredHold
        self.tokenTimeout = tokenTimeout
        self.reclaimInterval = reclaimInterval
        self.reclaimMaxLeases = reclaimMaxLeases
        self.reclaimMaxTime = reclaimMaxTime
    }
}

/// Which identifier a server keys leases on (DESIGN.md §3 "Client identity").
public enum IdentityPolicy: String, Sendable, Equatable {
    /// Option 61 when the client sends one, else chaddr (RFC 2131 §4.2).
    case clientID = "client-id"
    /// Always chaddr: what operators who track MAC addresses want.
    case hardwareAddress = "hw-address"
}

public struct DHCPv4Configuration: Sendable, Equatable {
    public enum Listen: Sendable, Equatable {
        /// Bound to one interface (SO_BINDTODEVICE), receiving broadcasts on it.
        case interface(String)
        /// Bound to one local address (relayed traffic only, or tests on loopback).
        case address(IPv4Address)
    }

    public var listen: [Listen]
    public var port: UInt16
    /// The port replies to clients go to (68); relays get `port`.
    public var clientPort: UInt16
    public var identity: IdentityPolicy
    /// How long an offered address is held for the client that was offered it.
    public var offerHold: Duration
    /// How long a declined address is kept out of the pool.
    public var declineQuarantine: Duration
    /// NAK requests for addresses this server does not know (RFC 2131 §4.3.2 authoritative).
    public var authoritative: Bool
    public var subnets: [SubnetConfiguration]
    /// The ordered plugin chain (DESIGN.md §4).
    public var plugins: [PluginConfiguration]

    public init(
        listen: [Listen] = [], port: UInt16 = 67, clientPort: UInt16 = 68, identity: IdentityPolicy = .clientID,
        offerHold: Duration = .seconds(30), declineQuarantine: Duration = .seconds(86_400), authoritative: Bool = true,
        subnets: [SubnetConfiguration] = [], plugins: [PluginConfiguration] = []
    ) {
        self.listen = listen
        self.port = port
        self.clientPort = clientPort
        self.identity = identity
        self.offerHold = offerHold
        self.declineQuarantine = declineQuarantine
        self.authoritative = authoritative
        self.subnets = subnets
        self.plugins = plugins
    }
}

/// An IPv4 network: address and prefix length (the address kept masked).
public struct IPv4Subnet: Sendable, Hashable, CustomStringConvertible {
    public let network: IPv4Address
    public let prefixLength: Int

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let address = IPv4Address(parts[0]), let length = Int(parts[1]) else { return nil }
        self.init(address: address, prefixLength: length)
    }

    public init?(address: IPv4Address, prefixLength: Int) {
        guard (0...32).contains(prefixLength) else { return nil }
        self.prefixLength = prefixLength
        network = IPv4Address(address.rawValue & IPv4Subnet.mask(prefixLength))
    }

    static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length) }

    public var mask: IPv4Address { IPv4Address(IPv4Subnet.mask(prefixLength)) }
    public var broadcast: IPv4Address { IPv4Address(network.rawValue | ~IPv4Subnet.mask(prefixLength)) }
    public func contains(_ address: IPv4Address) -> Bool { address.rawValue & IPv4Subnet.mask(prefixLength) == network.rawValue }
    public var description: String { "\(network)/\(prefixLength)" }
}

/// An inclusive address range, "192.0.2.100-192.0.2.199".
public struct IPv4Range: Sendable, Hashable, CustomStringConvertible {
    public let first: IPv4Address
    public let last: IPv4Address

    public init?(first: IPv4Address, last: IPv4Address) {
        guard first <= last else { return nil }
        self.first = first
        self.last = last
    }

    public init?(_ text: some StringProtocol) {
        let parts = String(text).split(separator: "-")
        guard parts.count == 2, let first = IPv4Address(parts[0].trimmingSpaces), let last = IPv4Address(parts[1].trimmingSpaces)
        else { return nil }
        self.init(first: first, last: last)
    }

    public var description: String { "\(first)-\(last)" }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}

/// One subnet: where it is, what it hands out and the options its clients get.
public struct SubnetConfiguration: Sendable, Equatable {
    public var name: String
    public var subnet: IPv4Subnet
    /// Requests received on this interface (not relayed) select this subnet.
    public var interface: String?
    /// Subnets with the same shared network name sit on one link: a client may get an
    /// address from any of them (RFC 2131's "shared network", Kea's shared-networks).
    public var sharedNetwork: String?
    public var pools: [IPv4Range]
    public var leaseTime: Duration?
    public var renewalTime: Duration?
    public var rebindingTime: Duration?
    /// The address this server identifies itself with on this subnet (option 54).
    public var serverID: IPv4Address?
    public var routers: [IPv4Address]
    public var dnsServers: [IPv4Address]
    public var domainName: String?
    public var domainSearch: [String]
    public var ntpServers: [IPv4Address]
    public var mtu: UInt16?
    public var classlessRoutes: [ClasslessRouteConfiguration]
    public var nextServer: IPv4Address?
    public var bootFile: String?
    /// Any other options: code and a typed value.
    public var options: [OptionConfiguration]

    public init(
        name: String, subnet: IPv4Subnet, interface: String? = nil, sharedNetwork: String? = nil, pools: [IPv4Range] = [],
        leaseTime: Duration? = nil, renewalTime: Duration? = nil, rebindingTime: Duration? = nil, serverID: IPv4Address? = nil,
        routers: [IPv4Address] = [], dnsServers: [IPv4Address] = [], domainName: String? = nil, domainSearch: [String] = [],
        ntpServers: [IPv4Address] = [], mtu: UInt16? = nil, classlessRoutes: [ClasslessRouteConfiguration] = [],
        nextServer: IPv4Address? = nil, bootFile: String? = nil, options: [OptionConfiguration] = []
    ) {
        self.name = name
        self.subnet = subnet
        self.interface = interface
        self.sharedNetwork = sharedNetwork
        self.pools = pools
        self.leaseTime = leaseTime
        self.renewalTime = renewalTime
        self.rebindingTime = rebindingTime
        self.serverID = serverID
        self.routers = routers
        self.dnsServers = dnsServers
        self.domainName = domainName
        self.domainSearch = domainSearch
        self.ntpServers = ntpServers
        self.mtu = mtu
        self.classlessRoutes = classlessRoutes
        self.nextServer = nextServer
        self.bootFile = bootFile
        self.options = options
    }
}

public struct ClasslessRouteConfiguration: Sendable, Equatable {
    public var destination: IPv4Subnet
    public var gateway: IPv4Address

    public init(destination: IPv4Subnet, gateway: IPv4Address) {
        self.destination = destination
        self.gateway = gateway
    }
}

/// A generic option: code plus a value typed so the YAML can say what it means.
public struct OptionConfiguration: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case addresses([IPv4Address])
        case uint8(UInt8)
        case uint16(UInt16)
        case uint32(UInt32)
        case bool(Bool)
        case hex([UInt8])
    }

    public var code: UInt8
    public var value: Value

    public init(code: UInt8, value: Value) {
        self.code = code
        self.value = value
    }

    /// The option's payload bytes.
    public var bytes: [UInt8] {
        switch value {
        case .text(let text): Array(text.utf8)
        case .addresses(let addresses): addresses.flatMap { $0.bytes }
        case .uint8(let value): [value]
        case .uint16(let value): [UInt8(value >> 8), UInt8(truncatingIfNeeded: value)]
        case .uint32(let value): IPv4Address(value).bytes
        case .bool(let value): [value ? 1 : 0]
        case .hex(let bytes): bytes
        }
    }
}

/// One entry of the plugin chain: its name and its arguments.
public struct PluginConfiguration: Sendable, Equatable {
    public enum Name: String, Sendable, CaseIterable {
        case serverID = "server_id"
        case router, netmask, dns
        case domainSearch = "domain_search"
        case mtu
        case leaseTime = "lease_time"
        case `static`
        case range
        case classlessRoutes = "classless_routes"
        case nbp, sleep, option
    }

    public var name: Name
    /// `static`: the reservations file.
    public var file: String?
    /// `sleep`: how long to delay each request (testing).
    public var delay: Duration?
    /// `option`: options added to every reply (subnets add their own).
    public var options: [OptionConfiguration]
    /// Where the entry is in the configuration file, for messages.
    public var location: String

    public init(name: Name, file: String? = nil, delay: Duration? = nil, options: [OptionConfiguration] = [], location: String = "") {
        self.name = name
        self.file = file
        self.delay = delay
        self.options = options
        self.location = location
    }
}
