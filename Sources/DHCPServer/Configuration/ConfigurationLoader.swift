public import DHCPWire
import Foundation
import Yams

/// Reads `lessor.yaml` into a `ServerConfiguration`, checking shape and meaning, and reports every
/// problem it finds with file, line, column, field path and what was expected. The YAML shape is
/// documented in docs/configuration.md.
public enum ConfigurationLoader {
    /// Reads and validates the file. Relative paths inside it (the SQLite file, reservations files)
    /// are resolved against the file's directory.
    public static func load(file path: String) throws(ConfigurationError) -> ServerConfiguration {
        try parse(yaml: ConfigurationFiles.read(path), file: path)
    }

    /// Validates YAML text; `file` names it in messages and anchors relative paths.
    public static func parse(yaml: String, file: String) throws(ConfigurationError) -> ServerConfiguration {
        let run = ConfigurationRun(yaml: yaml, file: file)
        guard let configuration = run.configuration, run.problems.isEmpty else {
            throw ConfigurationError(problems: run.problems)
        }
        return configuration
    }

    /// What `lessor check-config` runs: the file, and every reservations file its `static` plugins name,
    /// each reservation checked against the subnets. Problems of all files are reported together.
    public static func check(file path: String) throws(ConfigurationError) -> CheckedConfiguration {
        let run = ConfigurationRun(yaml: try ConfigurationFiles.read(path), file: path)
        var problems = run.problems
        var reservations: [String: [Reservation]] = [:]
        for reference in run.staticFiles where reservations[reference.path] == nil {
            do {
                reservations[reference.path] = try ReservationsFile.load(
                    path: reference.path, displayPath: reference.displayPath,
                    subnets: run.problems.isEmpty ? run.configuration?.server4?.subnets : nil,
                    subnets6: run.problems.isEmpty ? run.configuration?.server6?.subnets : nil)
            } catch {
                for problem in error.problems {
                    if problem.kind == .unreadable {
                        // Point at the plugin entry: that is the line to fix (or the file to create).
                        var moved = problem
                        moved.file = path
                        moved.line = reference.line
                        moved.column = reference.column
                        moved.path = reference.fieldPath
                        moved.message = "reservations file \(reference.displayPath): \(problem.message)"
                        problems.append(moved)
                    } else {
                        problems.append(problem)
                    }
                }
            }
        }
        guard problems.isEmpty, let configuration = run.configuration else {
            throw ConfigurationError(problems: problems)
        }
        return CheckedConfiguration(configuration: configuration, reservations: reservations)
    }
}

/// A configuration together with the reservations its `static` plugins load.
public struct CheckedConfiguration: Sendable, Equatable {
    public var configuration: ServerConfiguration
    /// Each `static` plugin's reservations, keyed by the plugin's (resolved) `file`.
    public var reservations: [String: [Reservation]]

    public init(configuration: ServerConfiguration, reservations: [String: [Reservation]]) {
        self.configuration = configuration
        self.reservations = reservations
    }
}

/// One pass over one configuration text: the model when it is valid, and every problem found.
struct ConfigurationRun {
    struct StaticFile {
        /// Absolute, as the plugin will open it.
        var path: String
        /// As the operator would write it next to the configuration file's name.
        var displayPath: String
        var line: Int?
        var column: Int?
        var fieldPath: String
    }

    private(set) var configuration: ServerConfiguration?
    private(set) var problems: [ConfigurationError.Problem] = []
    private(set) var staticFiles: [StaticFile] = []

    init(yaml: String, file: String) {
        let diagnostics = ConfigurationDiagnostics(file: file)
        var parser = ConfigurationParser(diagnostics: diagnostics, file: file)
        switch YAMLDocument.compose(yaml, diagnostics: diagnostics) {
        case .none:
            break
        case .some(.none):
            diagnostics.report(
                .missingKey, at: nil, path: "",
                "the file is empty; expected a mapping with server4 and/or server6 (and optionally store, control and log_level)")
        case .some(.some(let root)):
            configuration = parser.document(YAMLValue(node: root, path: "", diagnostics: diagnostics))
        }
        problems = diagnostics.sortedProblems
        staticFiles = parser.staticFiles
    }
}

/// The YAML shape of lessor.yaml, section by section. Each function reports what is wrong and returns
/// what it could read, so one pass finds every problem.
struct ConfigurationParser {
    let diagnostics: ConfigurationDiagnostics
    let file: String
    let directory: String
    var staticFiles: [ConfigurationRun.StaticFile] = []

    init(diagnostics: ConfigurationDiagnostics, file: String) {
        self.diagnostics = diagnostics
        self.file = file
        directory = ConfigurationFiles.directory(of: file)
    }

    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    mutating func document(_ root: YAMLValue) -> ServerConfiguration? {
        guard
            let top = root.mapping(
                "a mapping with server4 and/or server6 (and optionally store, control and log_level)",
                keys: ["log_level", "store", "control", "server4", "server6"],
                extensionPrefix: "x-")
        else { return nil }
        var configuration = ServerConfiguration()
        if let level = top.optional("log_level")?.scalar(
            "one of \(Self.logLevels.joined(separator: ", "))", { Self.logLevels.contains($0) ? $0 : nil })
        {
            configuration.logLevel = level
        }
        if let store = top.optional("store") {
            configuration.store = self.store(store)
        }
        if let control = top.optional("control") {
            configuration.control = self.control(control)
        }
        if let server4 = top.optional("server4") {
            configuration.server4 = self.server4(server4)
        }
        if let server6 = top.optional("server6") {
            configuration.server6 = self.server6(server6)
            // Pools are named after their subnet, and leases and the control socket's `pools`
            // count by pool name: a name in both services would mix their counts.
            let names4 = Set(configuration.server4?.subnets.map(\.name) ?? [])
            for name in configuration.server6?.subnets.map(\.name) ?? [] where names4.contains(name) {
                server6.report(
                    .conflict,
                    "the subnet name \"\(name)\" is used by server4 as well; give the DHCPv6 subnet its own name (e.g. \"\(name)6\")")
            }
        }
        if !top.has("server4"), !top.has("server6") {
            root.report(
                .missingKey,
                "missing key \"server4\" or \"server6\": nothing to serve; add the DHCPv4 service, the DHCPv6 "
                    + "service or both")
        }
        return configuration
    }

    // MARK: store

    static let storeKeys = [
        "provider", "path", "synchronous", "expired_hold", "token_timeout", "reclaim_interval", "reclaim_max_leases",
        "reclaim_max_time",
    ]

    func store(_ located: YAMLValue) -> StoreConfiguration {
        var store = StoreConfiguration()
        guard let map = located.mapping("the lease store settings (provider, path…)", keys: Self.storeKeys) else {
            return store
        }
        let provider = map.optional("provider")?.scalar("a store provider: sqlite or memory") {
            ["sqlite", "memory"].contains($0) ? $0 : nil
        }
        var path = "lessor-leases.sqlite"
        if let field = map.optional("path"), let text = field.string("a file path like /var/lib/lessor/leases.sqlite") {
            if text.isEmpty { field.invalid("a file path like /var/lib/lessor/leases.sqlite") }
            path = ConfigurationFiles.resolve(text, against: directory)
        }
        var synchronous = "full"
        if let value = map.optional("synchronous")?.scalar(
            "full, normal or off", { ["full", "normal", "off"].contains($0) ? $0 : nil })
        {
            synchronous = value
        }
        if provider == "memory" {
            store.provider = .memory
            for key in ["path", "synchronous"] where map.has(key) {
                diagnostics.report(
                    .conflict, at: map.keyMark(key), path: located.path,
                    "\"\(key)\" applies only to provider: sqlite; remove it or use provider: sqlite")
            }
        } else {
            store.provider = .sqlite(path: path, synchronous: synchronous)
        }
        if let value = map.optional("expired_hold")?.duration() { store.expiredHold = value }
        if let value = map.optional("token_timeout")?.duration(atLeast: .milliseconds(1)) { store.tokenTimeout = value }
        if let value = map.optional("reclaim_interval")?.duration(atLeast: .milliseconds(1)) {
            store.reclaimInterval = value
        }
        if let value = map.optional("reclaim_max_leases")?.integer(1...1_000_000, as: Int.self) {
            store.reclaimMaxLeases = value
        }
        if let value = map.optional("reclaim_max_time")?.duration(atLeast: .milliseconds(1)) {
            store.reclaimMaxTime = value
        }
        return store
    }

    // MARK: server4

    static let server4Keys = [
        "listen", "port", "client_port", "identity", "offer_hold", "decline_quarantine", "authoritative", "subnets",
        "plugins",
    ]

    mutating func server4(_ located: YAMLValue) -> DHCPv4Configuration? {
        guard
            let map = located.mapping(
                "the DHCPv4 service settings (listen, subnets, plugins…)", keys: Self.server4Keys)
        else { return nil }
        var server = DHCPv4Configuration()
        let listenSources = map.optional("listen").map {
            listenList($0, example: "{interface: eth0}", addressExample: "192.0.2.1") {
                DHCPv4Configuration.Listen.interface($0)
            } address: {
                $0.ipv4().map { DHCPv4Configuration.Listen.address($0) }
            }
        } ?? []
        if let value = map.optional("port")?.integer(1...65535, as: UInt16.self) { server.port = value }
        if let value = map.optional("client_port")?.integer(1...65535, as: UInt16.self) { server.clientPort = value }
        if let value = map.optional("identity")?.scalar("client-id or hw-address", { IdentityPolicy(rawValue: $0) }) {
            server.identity = value
        }
        if let value = map.optional("offer_hold")?.duration(atLeast: .seconds(1)) { server.offerHold = value }
        if let value = map.optional("decline_quarantine")?.duration() { server.declineQuarantine = value }
        if let value = map.optional("authoritative")?.bool() { server.authoritative = value }

        var subnets: [SubnetSource] = []
        if let field = map.required("subnets", "the list of subnets this server hands out addresses in"),
            let items = field.items("a list of subnets, each like {subnet: 192.0.2.0/24, pools: [...]}")
        {
            if items.isEmpty { field.invalid("at least one subnet") }
            subnets = items.compactMap { subnet($0) }
        }
        checkAcrossSubnets(subnets)
        server.subnets = subnets.map(\.configuration)

        server.listen = listenSources.map(\.0)
        checkListen(listenSources, subnets: subnets, server4: located, map: map, server: &server)

        if let field = map.required(
            "plugins", "the ordered plugin chain, like [server_id, netmask, router, dns, lease_time, range]"),
            let items = field.items("a list of plugins, like [server_id, router, range]")
        {
            if items.isEmpty {
                field.invalid("at least one plugin, like [server_id, netmask, router, dns, lease_time, range]")
            }
            server.plugins = plugins(items)
        }
        return server
    }

    /// A `listen` list (server4 or server6): each entry once.
    func listenList<Listen: Equatable>(
        _ field: YAMLValue, example: String, addressExample: String, interface: (String) -> Listen,
        address: (YAMLValue) -> Listen?
    ) -> [(Listen, YAMLValue)] {
        guard let items = field.items("a list of \(example) or {address: \(addressExample)}") else { return [] }
        var sources: [(Listen, YAMLValue)] = []
        for item in items {
            guard let listen = listenEntry(item, example: example, addressExample: addressExample, interface: interface, address: address)
            else { continue }
            if let previous = sources.first(where: { $0.0 == listen }) {
                item.report(.conflict, "the same listen entry as \(previous.1.path)\(lineNote(previous.1)); list each once")
            } else {
                sources.append((listen, item))
            }
        }
        if items.isEmpty { field.invalid("at least one listen entry like \(example)") }
        return sources
    }

    func listenEntry<Listen>(
        _ item: YAMLValue, example: String, addressExample: String, interface: (String) -> Listen,
        address: (YAMLValue) -> Listen?
    ) -> Listen? {
        let expected = "a listen entry like \(example) or {address: \(addressExample)}"
        let interfaceExample = example.dropFirst("{interface: ".count).dropLast()
        guard let map = item.mapping(expected, keys: ["interface", "address"]) else { return nil }
        switch (map.optional("interface"), map.optional("address")) {
        case (let name?, nil):
            return name.scalar("an interface name like \(interfaceExample)", ValueSyntax.interfaceName).map(interface)
        case (nil, let field?):
            return address(field)
        case (_?, _?):
            item.report(.conflict, "give either interface or address, not both; use two entries to listen on both")
        case (nil, nil):
            item.report(.missingKey, "missing key \"interface\" or \"address\": expected \(expected)")
        }
        return nil
    }

    /// Without `listen`, the server listens on the interfaces its subnets name. With it, each subnet's
    /// interface must be among the listened interfaces (else its broadcasts would never arrive).
    func checkListen(
        _ listen: [(DHCPv4Configuration.Listen, YAMLValue)], subnets: [SubnetSource], server4: YAMLValue,
        map: YAMLMapping, server: inout DHCPv4Configuration
    ) {
        let listened = listen.compactMap { if case .interface(let name) = $0.0 { name } else { nil } }
        let interfaces = listenInterfaces(
            listened: map.has("listen") ? listened : nil, subnets: subnets.map { ($0.configuration.interface, $0.interfaceField) },
            section: server4, example: "[{interface: eth0}] or [{address: 192.0.2.1}]")
        if !map.has("listen") { server.listen = interfaces.map { .interface($0) } }
    }

    /// The check behind `listen` (server4 and server6). `listened` is nil when the section has no
    /// `listen`: then the interfaces the subnets name are returned (at least one is needed).
    func listenInterfaces(
        listened: [String]?, subnets: [(interface: String?, field: YAMLValue?)], section: YAMLValue, example: String
    ) -> [String] {
        guard let listened else {
            var interfaces: [String] = []
            for case let (name?, _) in subnets where !interfaces.contains(name) { interfaces.append(name) }
            if interfaces.isEmpty, !subnets.isEmpty {
                section.report(
                    .missingKey,
                    "missing key \"listen\": no subnet names an interface, so say where to listen, like listen: \(example)")
            }
            return interfaces
        }
        guard !listened.isEmpty else { return listened }
        for case let (name?, field?) in subnets where !listened.contains(name) {
            field.report(
                .conflict,
                "the subnet is on interface \(name), but \(section.path).listen does not include it; add {interface: "
                    + "\(name)} to listen"
            )
        }
        return listened
    }

    // MARK: subnets

    static let subnetKeys = [
        "name", "subnet", "interface", "shared_network", "pools", "lease_time", "renewal_time", "rebinding_time",
        "server_id", "routers", "dns_servers", "domain_name", "domain_search", "ntp_servers", "mtu", "classless_routes",
        "next_server", "boot_file", "options",
    ]

    /// A subnet and where its parts are written, for the checks that compare subnets.
    struct SubnetSource {
        var configuration: SubnetConfiguration
        var located: YAMLValue
        var subnetField: YAMLValue
        var nameField: YAMLValue?
        var interfaceField: YAMLValue?
        var sharedNetworkField: YAMLValue?
        var pools: [(range: IPv4Range, field: YAMLValue)]
    }

    func subnet(_ located: YAMLValue) -> SubnetSource? {
        guard let map = located.mapping("a subnet like {subnet: 192.0.2.0/24, pools: [...]}", keys: Self.subnetKeys)
        else { return nil }
        let subnetField = map.required("subnet", "the subnet's network, like 192.0.2.0/24")
        let subnet = subnetField?.subnet()

        let nameField = map.optional("name")
        let name = nameField?.scalar("a name of letters, digits and -_./: (at most 64)", ValueSyntax.name)
        let interfaceField = map.optional("interface")
        let interface = interfaceField?.scalar("an interface name like eth0", ValueSyntax.interfaceName)
        let sharedNetworkField = map.optional("shared_network")
        let sharedNetwork = sharedNetworkField?.scalar(
            "a name of letters, digits and -_./: (at most 64)", ValueSyntax.name)

        var pools: [(range: IPv4Range, field: YAMLValue)] = []
        if let field = map.optional("pools"),
            let items = field.items("a list of address ranges like 192.0.2.100-192.0.2.199", single: true)
        {
            for item in items {
                guard let range = item.range() else { continue }
                if let subnet { checkPool(range, field: item, in: subnet) }
                pools.append((range, item))
            }
        }

        let leaseTime = map.optional("lease_time")?.leaseTime()
        let renewalTime = map.optional("renewal_time")?.leaseTime()
        let rebindingTime = map.optional("rebinding_time")?.leaseTime()
        checkTimes(map: map, lease: leaseTime, renewal: renewalTime, rebinding: rebindingTime)

        let serverIDField = map.optional("server_id")
        let serverID = serverIDField?.ipv4()
        let routers = map.optional("routers")?.addressList("a list of router addresses like [192.0.2.1]") ?? []
        let dnsServers =
            map.optional("dns_servers")?.addressList("a list of DNS server addresses like [192.0.2.53]") ?? []
        let ntpServers =
            map.optional("ntp_servers")?.addressList("a list of NTP server addresses like [192.0.2.123]") ?? []
        let nextServerField = map.optional("next_server")
        let nextServer = nextServerField?.ipv4()
        let domainName = map.optional("domain_name")?.scalar("a domain name like example.com") {
            ValueSyntax.domainName($0) != nil ? $0 : nil
        }
        var domainSearch: [String] = []
        if let items = map.optional("domain_search")?.items("a list of domain names like [example.com]", single: true) {
            domainSearch = items.compactMap { item in
                item.scalar("a domain name like example.com") { ValueSyntax.domainName($0) != nil ? $0 : nil }
            }
        }
        let mtu = map.optional("mtu")?.integer(68...65535, as: UInt16.self)
        var routes: [ClasslessRouteConfiguration] = []
        if let items = map.optional("classless_routes")?.items(
            "a list of routes like {destination: 198.51.100.0/24, gateway: 192.0.2.1}")
        {
            routes = items.compactMap { classlessRoute($0, in: subnet) }
        }
        let bootFile = map.optional("boot_file")?.scalar("a boot file name of 1 to 128 bytes, like pxelinux.0") {
            (1...128).contains($0.utf8.count) ? $0 : nil
        }
        let options = map.optional("options").map { locatedOptions($0) } ?? []

        guard let subnet, let subnetField else { return nil }

        // Addresses the subnet names must make sense in it, and never be handed out from its pools.
        if let serverID, let field = serverIDField {
            checkHostAddress(
                serverID, field: field, what: "server_id", subnet: subnet, pools: pools, mustBeInside: false)
        }
        for (address, field) in routers {
            checkHostAddress(
                address, field: field, what: "the router", subnet: subnet, pools: pools, mustBeInside: true)
        }
        for (address, field) in dnsServers {
            checkHostAddress(
                address, field: field, what: "the DNS server", subnet: subnet, pools: pools, mustBeInside: false)
        }
        for (address, field) in ntpServers {
            checkHostAddress(
                address, field: field, what: "the NTP server", subnet: subnet, pools: pools, mustBeInside: false)
        }
        if let nextServer, let field = nextServerField {
            checkHostAddress(
                nextServer, field: field, what: "next_server", subnet: subnet, pools: pools, mustBeInside: false)
        }
        checkOptionsAgainstFields(options, map: map)

        let configuration = SubnetConfiguration(
            name: name ?? subnet.description, subnet: subnet, interface: interface, sharedNetwork: sharedNetwork,
            pools: pools.map(\.range), leaseTime: leaseTime, renewalTime: renewalTime, rebindingTime: rebindingTime,
            serverID: serverID, routers: routers.map(\.0), dnsServers: dnsServers.map(\.0), domainName: domainName,
            domainSearch: domainSearch, ntpServers: ntpServers.map(\.0), mtu: mtu, classlessRoutes: routes,
            nextServer: nextServer, bootFile: bootFile, options: options.map(\.0))
        return SubnetSource(
            configuration: configuration, located: located, subnetField: subnetField, nameField: nameField,
            interfaceField: interfaceField, sharedNetworkField: sharedNetworkField, pools: pools)
    }

    func checkPool(_ range: IPv4Range, field: YAMLValue, in subnet: IPv4Subnet) {
        guard subnet.contains(range.first), subnet.contains(range.last) else {
            field.report(
                .conflict, "the range \(range) is not inside the subnet \(subnet); expected addresses from \(subnet)")
            return
        }
        guard subnet.prefixLength <= 30 else { return }
        if range.first == subnet.network {
            field.report(
                .conflict,
                "the range includes the subnet's network address \(subnet.network); "
                    + "start it at \(IPv4Address(subnet.network.rawValue + 1)) or later"
            )
        }
        if range.last == subnet.broadcast {
            field.report(
                .conflict,
                "the range includes the subnet's broadcast address \(subnet.broadcast); "
                    + "end it at \(IPv4Address(subnet.broadcast.rawValue - 1)) or earlier"
            )
        }
    }

    func checkTimes(map: YAMLMapping, lease: Duration?, renewal: Duration?, rebinding: Duration?) {
        if let renewal, let rebinding, renewal >= rebinding, let field = map.optional("renewal_time") {
            field.report(
                .conflict,
                "renewal_time (\(renewal.configurationText)) must be shorter than "
                    + "rebinding_time (\(rebinding.configurationText))"
            )
        }
        if let lease {
            for (key, value) in [("renewal_time", renewal), ("rebinding_time", rebinding)] {
                guard let value, value >= lease, let field = map.optional(key) else { continue }
                field.report(
                    .conflict,
                    "\(key) (\(value.configurationText)) must be shorter than lease_time (\(lease.configurationText))")
            }
        }
    }

    func checkHostAddress(
        _ address: IPv4Address, field: YAMLValue, what: String, subnet: IPv4Subnet,
        pools: [(range: IPv4Range, field: YAMLValue)],
        mustBeInside: Bool
    ) {
        if !address.isUnicast {
            field.report(.invalidValue, "expected a unicast address, got \(address)")
            return
        }
        guard subnet.contains(address) else {
            if mustBeInside {
                field.report(
                    .conflict,
                    "\(what) \(address) is not inside the subnet \(subnet); clients can only reach an on-link router")
            }
            return
        }
        if subnet.prefixLength <= 30, address == subnet.network || address == subnet.broadcast {
            let which = address == subnet.network ? "network" : "broadcast"
            field.report(.conflict, "\(address) is the subnet's \(which) address, not a host")
            return
        }
        if let pool = pools.first(where: { $0.range.contains(address) }) {
            field.report(
                .conflict,
                "\(what) \(address) is inside the pool \(pool.range) (\(pool.field.path)\(lineNote(pool.field))); "
                    + "the server would hand it to a client: shrink the pool")
        }
    }

    /// A generic option for a code that a dedicated subnet key also sets would send it twice.
    func checkOptionsAgainstFields(_ options: [(OptionConfiguration, YAMLValue)], map: YAMLMapping) {
        let dedicated: [UInt8: String] = [
            3: "routers", 6: "dns_servers", 15: "domain_name", 26: "mtu", 42: "ntp_servers", 66: "next_server",
            67: "boot_file",
            119: "domain_search", 121: "classless_routes",
        ]
        for (option, item) in options {
            guard let key = dedicated[option.code], map.has(key) else { continue }
            item.report(
                .conflict, "option \(option.code) is also set by \(key)\(lineNote(map.keyMark(key))); keep one of them")
        }
    }

    func classlessRoute(_ item: YAMLValue, in subnet: IPv4Subnet?) -> ClasslessRouteConfiguration? {
        guard
            let map = item.mapping(
                "a route like {destination: 198.51.100.0/24, gateway: 192.0.2.1}", keys: ["destination", "gateway"])
        else { return nil }
        let destination = map.required("destination", "the network reached through the gateway, like 198.51.100.0/24")?
            .subnet()
        let gatewayField = map.required("gateway", "the router on this subnet to send that traffic to, like 192.0.2.1")
        let gateway = gatewayField?.ipv4()
        if let gateway, let subnet, let gatewayField, !gateway.isUnspecified, !subnet.contains(gateway) {
            gatewayField.report(
                .conflict,
                "the gateway \(gateway) is not inside the subnet \(subnet); clients can only reach an on-link router")
        }
        guard let destination, let gateway else { return nil }
        return ClasslessRouteConfiguration(destination: destination, gateway: gateway)
    }

    /// Names must be unique, address space must not be shared, and an interface belongs to one subnet
    /// unless the subnets on it form a shared network.
    func checkAcrossSubnets(_ subnets: [SubnetSource]) {
        for (index, source) in subnets.enumerated() {
            let earlier = subnets[..<index]
            func at(_ previous: SubnetSource) -> String { "\(previous.located.path)\(lineNote(previous.located))" }
            if let previous = earlier.first(where: { $0.configuration.name == source.configuration.name }) {
                let field = source.nameField ?? source.subnetField
                let how = source.nameField == nil ? "the subnet's default name" : "the name"
                field.report(
                    .conflict,
                    "\(how) \"\(source.configuration.name)\" is already used by \(at(previous)); "
                        + "give each subnet its own name"
                )
            }
            if let previous = earlier.first(where: { $0.configuration.subnet.overlaps(source.configuration.subnet) }) {
                source.subnetField.report(
                    .conflict,
                    "\(source.configuration.subnet) overlaps \(previous.configuration.subnet) of \(at(previous)); "
                        + "each subnet needs its own addresses"
                )
            }
            if let name = source.configuration.interface, let field = source.interfaceField,
                let previous = earlier.first(where: { $0.configuration.interface == name }),
                source.configuration.sharedNetwork == nil
                    || source.configuration.sharedNetwork != previous.configuration.sharedNetwork
            {
                field.report(
                    .conflict,
                    "interface \(name) is also the interface of \(at(previous)); "
                        + "subnets on one link need the same shared_network"
                )
            }
            if let shared = source.configuration.sharedNetwork, let field = source.sharedNetworkField,
                let previous = earlier.first(where: {
                    $0.configuration.sharedNetwork == shared && $0.configuration.interface != nil
                        && source.configuration.interface != nil
                        && $0.configuration.interface != source.configuration.interface
                })
            {
                field.report(
                    .conflict,
                    "shared network \(shared) is on interface \(previous.configuration.interface ?? "") "
                        + "in \(at(previous)) but on \(source.configuration.interface ?? "") here; "
                        + "one shared network is one link"
                )
            }
        }
        // Pools anywhere must not overlap: each address belongs to one pool. Sorted by first address,
        // each pool is compared with the one reaching furthest before it; the later one in the file is reported.
        struct Pool {
            var range: IPv4Range
            var field: YAMLValue
            var order: Int
        }
        let pools = subnets.flatMap(\.pools).enumerated().map {
            Pool(range: $0.element.range, field: $0.element.field, order: $0.offset)
        }
        .sorted { ($0.range.first, $0.order) < ($1.range.first, $1.order) }
        var furthest: Pool?
        for pool in pools {
            if let reach = furthest, pool.range.first <= reach.range.last {
                let (later, earlier) = pool.order > reach.order ? (pool, reach) : (reach, pool)
                later.field.report(
                    .conflict,
                    "the range \(later.range) overlaps \(earlier.range) "
                        + "(\(earlier.field.path)\(lineNote(earlier.field))); each address belongs to one pool"
                )
            }
            if let reach = furthest, reach.range.last >= pool.range.last { continue }
            furthest = pool
        }
    }

    // MARK: options

    static let optionValueKeys = ["text", "addresses", "uint8", "uint16", "uint32", "bool", "hex"]

    /// Codes the server sets itself or that have a dedicated key.
    static let reservedOptionCodes: [UInt8: String] = [
        0: "code 0 is the pad byte, not an option",
        255: "code 255 is the end marker, not an option",
        1: "option 1 (subnet mask) comes from the subnet itself (the netmask plugin sends it)",
        50: "option 50 (requested address) is sent by clients, not servers",
        51: "option 51 (lease time) comes from lease_time; set that on the subnet",
        52: "option 52 (overload) is managed by the server",
        53: "option 53 (message type) is managed by the server",
        54: "option 54 (server identifier) comes from server_id; set that on the subnet",
        55: "option 55 (parameter request list) is sent by clients, not servers",
        57: "option 57 (maximum message size) is sent by clients, not servers",
        58: "option 58 (renewal time) comes from renewal_time; set that on the subnet",
        59: "option 59 (rebinding time) comes from rebinding_time; set that on the subnet",
        61: "option 61 (client identifier) is sent by clients, not servers",
        82: "option 82 (relay agent information) is added by relays and echoed back by the server",
    ]

    /// A list of typed options; codes must be unique in one list.
    func options(_ located: YAMLValue) -> [OptionConfiguration] {
        locatedOptions(located).map(\.0)
    }

    func locatedOptions(_ located: YAMLValue) -> [(OptionConfiguration, YAMLValue)] {
        uniqueOptions(located, expected: "a list of options like {code: 252, text: \"http://wpad.example/wpad.dat\"}", code: \.code) {
            option($0)
        }
    }

    /// A list of options (v4 or v6), each code set once; a repeat is reported and left out.
    func uniqueOptions<Option, Code: Hashable & CustomStringConvertible>(
        _ located: YAMLValue, expected: String, code: (Option) -> Code, parse: (YAMLValue) -> Option?
    ) -> [(Option, YAMLValue)] {
        guard let items = located.items(expected) else { return [] }
        var result: [(Option, YAMLValue)] = []
        for item in items {
            guard let option = parse(item) else { continue }
            if let previous = result.first(where: { code($0.0) == code(option) }) {
                item.report(
                    .conflict,
                    "option \(code(option)) is already set by \(previous.1.path)\(lineNote(previous.1)); "
                        + "set each code once"
                )
                continue
            }
            result.append((option, item))
        }
        return result
    }

    func option(_ item: YAMLValue) -> OptionConfiguration? {
        guard
            let (code, key, field) = optionEntry(
                item, example: "{code: 252, text: \"…\"}", valueKeys: Self.optionValueKeys, codes: 0...255,
                codeText: "1 to 254", reserved: Self.reservedOptionCodes)
        else { return nil }
        let value: OptionConfiguration.Value?
        switch key {
        case "text":
            value = field.scalar("text of 1 to 255 bytes") { (1...255).contains($0.utf8.count) ? $0 : nil }.map {
                .text($0)
            }
        case "addresses":
            if case .sequence(let list) = field.node, list.isEmpty {
                field.invalid("at least one IPv4 address")
                value = nil
            } else {
                let addresses = field.addressList("a list of IPv4 addresses like [192.0.2.1]")
                value = addresses.flatMap { $0.isEmpty ? nil : .addresses($0.map(\.0)) }
            }
        case "uint8": value = field.integer(0...UInt8.max, as: UInt8.self).map { .uint8($0) }
        case "uint16": value = field.integer(0...UInt16.max, as: UInt16.self).map { .uint16($0) }
        case "uint32": value = field.integer(0...UInt32.max, as: UInt32.self).map { .uint32($0) }
        case "bool": value = field.bool().map { .bool($0) }
        default:
            value = field.scalar("hex bytes like 01a2ff or 01:a2:ff (at most 255)") { text in
                ValueSyntax.hex(text).flatMap { $0.count <= 255 ? $0 : nil }
            }.map { .hex($0) }
        }
        guard let code, let value else { return nil }
        return OptionConfiguration(code: code, value: value)
    }

    /// The common part of an option entry: its code (nil after reporting a bad or reserved one) and
    /// its one value key. Nil when the value key is missing or repeated.
    func optionEntry<Code: FixedWidthInteger>(
        _ item: YAMLValue, example: String, valueKeys: [String], codes: ClosedRange<Code>, codeText: String,
        reserved: [Code: String]
    ) -> (code: Code?, key: String, field: YAMLValue)? {
        let valueList = valueKeys.joined(separator: ", ")
        guard let map = item.mapping("an option like \(example) with one of \(valueList)", keys: ["code"] + valueKeys)
        else { return nil }
        let codeField = map.required("code", "the option code, \(codeText)")
        var code = codeField?.integer(codes, as: Code.self)
        if let value = code, let reason = reserved[value], let codeField {
            codeField.report(.invalidValue, reason)
            code = nil
        }
        let given = valueKeys.filter(map.has)
        guard given.count == 1, let key = given.first, let field = map.optional(key) else {
            if given.isEmpty {
                item.report(.missingKey, "missing the option's value: one of \(valueList)")
            } else {
                item.report(.conflict, "give exactly one value, found \(given.joined(separator: " and "))")
            }
            return nil
        }
        return (code, key, field)
    }

    // MARK: plugins


    /// Where each plugin that takes no arguments reads its values from, for the hint when given some.
    static let pluginSources: [PluginConfiguration.Name: String] = [
        .serverID: "each subnet's server_id", .router: "each subnet's routers",
        .netmask: "each subnet's subnet (mask and broadcast address)",
        .dns: "each subnet's dns_servers, domain_name and ntp_servers", .domainSearch: "each subnet's domain_search",
        .mtu: "each subnet's mtu", .leaseTime: "each subnet's lease_time, renewal_time and rebinding_time",
        .range: "each subnet's pools", .classlessRoutes: "each subnet's classless_routes",
        .nbp: "each subnet's next_server and boot_file",
    ]

    mutating func plugins(_ items: [YAMLValue]) -> [PluginConfiguration] {
        var chain: [(PluginConfiguration, YAMLValue)] = []
        for item in items {
            guard let plugin = plugin(item) else { continue }
            let repeatable: Set<PluginConfiguration.Name> = [.static, .option]
            if !repeatable.contains(plugin.name), let previous = chain.first(where: { $0.0.name == plugin.name }) {
                item.report(
                    .conflict,
                    "plugin \(plugin.name.rawValue) is already in the chain at "
                        + "\(previous.1.path)\(lineNote(previous.1)); list it once"
                )
                continue
            }
            if plugin.name == .static, let range = chain.first(where: { $0.0.name == .range }) {
                item.report(
                    .conflict,
                    "static must come before range (\(range.1.path)\(lineNote(range.1))): "
                        + "a reserved client is matched before the pool hands out an address"
                )
            }
            chain.append((plugin, item))
        }
        return chain.map(\.0)
    }

    mutating func plugin(_ item: YAMLValue) -> PluginConfiguration? {
        let expected = "a plugin name like range, or a name with arguments like {static: static.yaml}"
        guard let (name, location, arguments) = pluginEntry(item, expected: expected, as: PluginConfiguration.Name.self)
        else { return nil }
        var plugin = PluginConfiguration(name: name, location: location)
        switch name {
        case .static:
            guard let path = staticFileArgument(arguments, of: item, what: "the reservations file, like static: static.yaml")
            else { return nil }
            plugin.file = path
        case .sleep:
            guard let delay = sleepDelay(arguments, of: item) else { return nil }
            plugin.delay = delay
        case .option:
            guard
                let options = optionsArgument(
                    arguments, of: item, example: "{code: 252, text: \"…\"}", parse: { options($0) })
            else { return nil }
            plugin.options = options
        default:
            guard noArguments(arguments, plugin: name.rawValue, source: Self.pluginSources[name]) else { return nil }
        }
        return plugin
    }

    /// The `option` plugin's list (at least one option).
    func optionsArgument<Option>(
        _ arguments: YAMLValue?, of item: YAMLValue, example: String, parse: (YAMLValue) -> [Option]
    ) -> [Option]? {
        guard let field = argument(arguments, key: "options", of: item, what: "the options to send, like option: [\(example)]")
        else { return nil }
        if case .sequence(let list) = field.node, list.isEmpty { field.invalid("at least one option") }
        return parse(field)
    }

    /// A plugin that takes no arguments given some: reported, false.
    func noArguments(_ arguments: YAMLValue?, plugin: String, source: String?) -> Bool {
        guard let arguments, !arguments.isNull, !(arguments.isMapping && arguments.node.mapping?.count == 0) else {
            return true
        }
        arguments.report(
            .invalidValue, "plugin \(plugin) takes no arguments; it reads \(source ?? "its settings from the subnets")")
        return false
    }

    /// A plugin list entry: its name (an unknown one is reported with the valid names), where it is
    /// written (`file:line:column`), and its arguments (if any).
    func pluginEntry<Name: RawRepresentable & CaseIterable>(_ item: YAMLValue, expected: String, as type: Name.Type)
        -> (name: Name, location: String, arguments: YAMLValue?)? where Name.RawValue == String
    {
        guard let (nameText, nameMark, arguments) = pluginEntry(item, expected: expected) else { return nil }
        guard let name = Name(rawValue: nameText) else {
            let names = Name.allCases.map(\.rawValue)
            let hint = KeySuggestion.closest(to: nameText, in: names).map { " (did you mean \"\($0)\"?)" } ?? ""
            diagnostics.report(
                .invalidValue, at: nameMark, path: item.path,
                "unknown plugin \"\(nameText)\"\(hint); expected one of: \(names.joined(separator: ", "))")
            return nil
        }
        return (name, "\(file):\(nameMark?.line ?? 0):\(nameMark?.column ?? 0)", arguments)
    }

    /// The `sleep` plugin's delay.
    func sleepDelay(_ arguments: YAMLValue?, of item: YAMLValue) -> Duration? {
        argument(arguments, key: "delay", of: item, what: "how long to delay each request, like sleep: 250ms")?.duration()
    }

    private func pluginEntry(_ item: YAMLValue, expected: String) -> (name: String, mark: Mark?, arguments: YAMLValue?)? {
        switch item.node {
        case .scalar where !item.isNull:
            return (item.text ?? "", item.mark, nil)
        case .mapping(let mapping) where mapping.count == 1:
            guard let (keyNode, value) = mapping.first.map({ ($0.key, $0.value) }), case .scalar(let key) = keyNode
            else {
                item.invalid(expected)
                return nil
            }
            return (key.string, keyNode.mark, item.child(key.string, value))
        case .mapping(let mapping):
            let keys = mapping.keys.compactMap(\.string).joined(separator: ", ")
            item.report(
                .invalidValue,
                "expected one plugin per list entry, found the keys \(keys); "
                    + "indent a plugin's arguments under its name, like - static: {file: static.yaml}"
            )
            return nil
        default:
            item.invalid(expected)
            return nil
        }
    }

    /// A reservations file argument (`static`, `static6`), resolved, and remembered for `check-config`.
    mutating func staticFileArgument(_ arguments: YAMLValue?, of item: YAMLValue, what: String) -> String? {
        guard let field = argument(arguments, key: "file", of: item, what: what),
            let path = field.scalar("a reservations file path like static.yaml", { $0.isEmpty ? nil : $0 })
        else { return nil }
        let resolved = ConfigurationFiles.resolve(path, against: directory)
        staticFiles.append(
            .init(
                path: resolved, displayPath: Self.display(path, nextTo: file), line: field.mark?.line,
                column: field.mark?.column, fieldPath: field.path))
        return resolved
    }

    /// A plugin's main argument: written directly (`static: static.yaml`) or as a mapping (`static: {file: …}`).
    func argument(_ arguments: YAMLValue?, key: String, of item: YAMLValue, what: String) -> YAMLValue? {
        guard let arguments, !arguments.isNull else {
            item.report(.missingKey, "missing key \"\(key)\": \(what)")
            return nil
        }
        if arguments.isMapping {
            guard let map = arguments.mapping("", keys: [key]) else { return nil }
            return map.required(key, what)
        }
        return arguments
    }

    /// `path` as the operator would name it from where they named the configuration file.
    static func display(_ path: String, nextTo file: String) -> String {
        guard !path.hasPrefix("/"), let slash = file.lastIndex(of: "/") else { return path }
        return String(file[...slash]) + path
    }
}

/// " at line 12", for messages that point at a second place.
func lineNote(_ located: YAMLValue) -> String {
    lineNote(located.mark)
}

func lineNote(_ mark: Mark?) -> String {
    mark.map { " at line \($0.line)" } ?? ""
}

extension YAMLValue {
    func ipv4(_ expected: String = "an IPv4 address like 192.0.2.1") -> IPv4Address? {
        scalar(expected) { IPv4Address($0) }
    }

    func addressList(_ expected: String) -> [(IPv4Address, YAMLValue)]? {
        guard let items = items(expected, single: true) else { return nil }
        return items.compactMap { item in item.ipv4().map { ($0, item) } }
    }

    func subnet() -> IPv4Subnet? {
        guard let text else {
            invalid("a subnet like 192.0.2.0/24")
            return nil
        }
        guard let (subnet, hostBitsSet) = ValueSyntax.subnet(text) else {
            invalid("a subnet like 192.0.2.0/24")
            return nil
        }
        if hostBitsSet {
            report(.invalidValue, "expected the network address \(subnet), got \"\(text)\" (host bits are set)")
            return nil
        }
        return subnet
    }

    func range() -> IPv4Range? {
        let expected = "an address range like 192.0.2.100-192.0.2.199"
        guard let text, let (range, reversed) = ValueSyntax.range(text) else {
            invalid(expected)
            return nil
        }
        guard let range else {
            invalid(expected, note: reversed ? "the first address is after the last" : nil)
            return nil
        }
        return range
    }

    func integer<T: FixedWidthInteger>(_ range: ClosedRange<T>, as type: T.Type) -> T? {
        let expected = "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard let value = scalar(expected, { ValueSyntax.integer($0, as: Int64.self) }) else { return nil }
        guard value >= Int64(range.lowerBound), Int64(exactly: range.upperBound).map({ value <= $0 }) ?? true,
            let result = T(exactly: value)
        else {
            invalid(expected)
            return nil
        }
        return result
    }

    func bool() -> Bool? {
        scalar("true or false", ValueSyntax.bool)
    }

    func duration(atLeast minimum: Duration = .zero) -> Duration? {
        guard let value = scalar(ValueSyntax.durationExample, ValueSyntax.duration) else { return nil }
        guard value >= minimum else {
            invalid("a duration of at least \(minimum.configurationText)")
            return nil
        }
        return value
    }

    /// Lease, renewal and rebinding times: whole seconds from 1s to 2³²−2 s (DHCP carries 32-bit seconds,
    /// all ones meaning infinity).
    func leaseTime() -> Duration? {
        guard let value = duration(atLeast: .seconds(1)) else { return nil }
        guard let seconds = value.wholeSeconds else {
            invalid("whole seconds (DHCP carries lease times in seconds)")
            return nil
        }
        guard seconds <= 0xFFFF_FFFE else {
            invalid("a duration of at most 4294967294s (about 136 years)")
            return nil
        }
        return value
    }
}

extension IPv4Subnet {
    /// Whether the two networks share any address (one contains the other).
    public func overlaps(_ other: IPv4Subnet) -> Bool { contains(other.network) || other.contains(network) }
}

extension IPv4Range {
    public func contains(_ address: IPv4Address) -> Bool { first <= address && address <= last }

    /// How many addresses the range holds.
    public var count: Int { Int(last.rawValue - first.rawValue) + 1 }
}

extension IPv4Address {
    /// Not 0.0.0.0, the limited broadcast, multicast (224/4) or reserved (240/4).
    var isUnicast: Bool { rawValue != 0 && rawValue >> 28 < 0xE }
}
