public import DHCPWire
import Yams

/// The `server6` section (docs/configuration.md, "server6"), checked like `server4`: every problem
/// is reported with file:line:column and the field path.
extension ConfigurationParser {
    static let server6Keys = [
        "listen", "port", "client_port", "site_multicast", "server_duid_file", "rapid_commit", "preference",
        "advertise_hold", "decline_quarantine", "subnets", "plugins",
    ]

    mutating func server6(_ located: YAMLValue) -> DHCPv6Configuration? {
        guard let map = located.mapping("the DHCPv6 service settings (listen, subnets, plugins…)", keys: Self.server6Keys)
        else { return nil }
        var server = DHCPv6Configuration()
        if let field = map.optional("listen") {
            server.listen = listenList(field, example: "{interface: eth1}", addressExample: "2001:db8::1") {
                DHCPv6Configuration.Listen.interface($0)
            } address: {
                $0.ipv6().map { DHCPv6Configuration.Listen.address($0) }
            }.map(\.0)
        }
        if let value = map.optional("port")?.integer(1...65535, as: UInt16.self) { server.port = value }
        if let value = map.optional("client_port")?.integer(1...65535, as: UInt16.self) { server.clientPort = value }
        if let value = map.optional("site_multicast")?.bool() { server.siteMulticast = value }
        if let field = map.optional("server_duid_file"),
            let path = field.scalar("a file path like /var/lib/lessor/server-duid", { $0.isEmpty ? nil : $0 })
        {
            server.serverDUIDFile = ConfigurationFiles.resolve(path, against: directory)
        }
        if let value = map.optional("rapid_commit")?.bool() { server.rapidCommit = value }
        if let value = map.optional("preference")?.integer(0...255, as: UInt8.self) { server.preference = value }
        if let value = map.optional("advertise_hold")?.duration(atLeast: .seconds(1)) { server.advertiseHold = value }
        if let value = map.optional("decline_quarantine")?.duration() { server.declineQuarantine = value }

        var subnets: [Subnet6Source] = []
        if let field = map.required("subnets", "the list of IPv6 subnets this server serves"),
            let items = field.items("a list of subnets, each like {prefix: 2001:db8:1::/64, pools: [...]}")
        {
            if items.isEmpty { field.invalid("at least one subnet") }
            subnets = items.compactMap { subnet6($0) }
        }
        checkAcrossSubnets6(subnets)
        server.subnets = subnets.map(\.configuration)
        if !map.has("listen") {
            var interfaces: [String] = []
            for subnet in subnets {
                if let name = subnet.configuration.interface, !interfaces.contains(name) { interfaces.append(name) }
            }
            if interfaces.isEmpty, !subnets.isEmpty {
                located.report(
                    .missingKey,
                    "missing key \"listen\": no subnet names an interface, so say where to listen, "
                        + "like listen: [{interface: eth1}] or [{address: 2001:db8::1}]")
            }
            server.listen = interfaces.map { .interface($0) }
        }

        if let field = map.required("plugins", "the ordered plugin chain, like [server_id, lease_time, dns6, range6]"),
            let items = field.items("a list of plugins, like [server_id, lease_time, range6]")
        {
            if items.isEmpty { field.invalid("at least one plugin, like [server_id, lease_time, dns6, range6]") }
            server.plugins = plugins6(items, subnets: server.subnets)
        }
        return server
    }

    // MARK: subnets

    static let subnet6Keys = [
        "name", "prefix", "interface", "shared_network", "pools", "temporary_pools", "prefix_pools",
        "preferred_lifetime", "valid_lifetime", "renewal_time", "rebinding_time", "temporary_preferred_lifetime",
        "temporary_valid_lifetime", "dns_servers", "domain_search", "options",
    ]

    /// A subnet and where its parts are written, for the checks that compare subnets.
    struct Subnet6Source {
        var configuration: Subnet6Configuration
        var located: YAMLValue
        var prefixField: YAMLValue
        var nameField: YAMLValue?
        /// Address pools (IA_NA and IA_TA) and delegated-prefix pools, as written.
        var ranges: [(range: IPv6Range, field: YAMLValue)]
        var prefixPools: [(prefix: IPv6Prefix, field: YAMLValue)]
    }

    func subnet6(_ located: YAMLValue) -> Subnet6Source? {
        guard
            let map = located.mapping("a subnet like {prefix: 2001:db8:1::/64, pools: [...]}", keys: Self.subnet6Keys)
        else { return nil }
        let prefixField = map.required("prefix", "the link's prefix, like 2001:db8:1::/64")
        let prefix = prefixField?.prefix6()
        let nameField = map.optional("name")
        let name = nameField?.scalar("a name of letters, digits and -_./: (at most 64)", ValueSyntax.name)
        let interface = map.optional("interface")?.scalar("an interface name like eth1", ValueSyntax.interfaceName)
        let sharedNetwork = map.optional("shared_network")?.scalar(
            "a name of letters, digits and -_./: (at most 64)", ValueSyntax.name)

        func ranges(_ key: String) -> [(range: IPv6Range, field: YAMLValue)] {
            guard
                let items = map.optional(key)?.items(
                    "a list of address ranges like 2001:db8:1::100-2001:db8:1::1ff", single: true)
            else { return [] }
            return items.compactMap { item in
                guard let range = item.range6() else { return nil }
                if let prefix, !(prefix.contains(range.first) && prefix.contains(range.last)) {
                    item.report(
                        .conflict, "the range \(range) is not inside the subnet's prefix \(prefix); expected addresses from \(prefix)")
                }
                return (range, item)
            }
        }
        let pools = ranges("pools")
        let temporaryPools = ranges("temporary_pools")

        let lifetimes = lifetimes6(
            map, preferredKey: "preferred_lifetime", validKey: "valid_lifetime", renewalKey: "renewal_time",
            rebindingKey: "rebinding_time", default: Lifetimes6(preferred: .seconds(3600), valid: .seconds(7200)))
        let temporaryLifetimes = lifetimes6(
            map, preferredKey: "temporary_preferred_lifetime", validKey: "temporary_valid_lifetime", renewalKey: nil,
            rebindingKey: nil, default: Lifetimes6(preferred: .seconds(1800), valid: .seconds(3600)))

        var prefixPools: [(pool: PrefixPool6Configuration, field: YAMLValue)] = []
        if let items = map.optional("prefix_pools")?.items(
            "a list of prefix pools like {prefix: 2001:db8:100::/40, delegated_length: 56}")
        {
            prefixPools = items.compactMap { item in prefixPool6(item, default: lifetimes).map { ($0, item) } }
        }

        let dnsServers =
            map.optional("dns_servers")?.items("a list of DNS server addresses like [2001:db8::53]", single: true)?
            .compactMap { $0.ipv6() } ?? []
        var domainSearch: [String] = []
        if let items = map.optional("domain_search")?.items("a list of domain names like [example.com]", single: true) {
            domainSearch = items.compactMap { item in
                item.scalar("a domain name like example.com") { ValueSyntax.domainName($0) != nil ? $0 : nil }
            }
        }
        let options = map.optional("options").map { options6($0) } ?? []

        guard let prefix, let prefixField else { return nil }
        let configuration = Subnet6Configuration(
            name: name ?? prefix.description, prefix: prefix, interface: interface, sharedNetwork: sharedNetwork,
            pools: pools.map(\.range), temporaryPools: temporaryPools.map(\.range), prefixPools: prefixPools.map(\.pool),
            lifetimes: lifetimes, temporaryLifetimes: temporaryLifetimes, dnsServers: dnsServers,
            domainSearch: domainSearch, options: options)
        return Subnet6Source(
            configuration: configuration, located: located, prefixField: prefixField, nameField: nameField,
            ranges: pools + temporaryPools, prefixPools: prefixPools.map { ($0.pool.prefix, $0.field) })
    }

    static let prefixPool6Keys = [
        "prefix", "delegated_length", "exclude", "preferred_lifetime", "valid_lifetime", "renewal_time",
        "rebinding_time",
    ]

    func prefixPool6(_ item: YAMLValue, default lifetimes: Lifetimes6) -> PrefixPool6Configuration? {
        guard
            let map = item.mapping(
                "a prefix pool like {prefix: 2001:db8:100::/40, delegated_length: 56}", keys: Self.prefixPool6Keys)
        else { return nil }
        let prefix = map.required("prefix", "the prefix delegated prefixes are cut from, like 2001:db8:100::/40")?
            .prefix6()
        let lengthField = map.required("delegated_length", "the length of each delegated prefix, like 56")
        var length = lengthField?.integer(1...128, as: Int.self)
        if let prefix, let value = length, let lengthField, value <= Int(prefix.length) {
            lengthField.report(
                .conflict,
                "delegated_length \(value) must be longer than the pool's prefix length \(prefix.length) "
                    + "(and at most 128)")
            length = nil
        }
        var excluded: [IPv6Prefix] = []
        if let items = map.optional("exclude")?.items("a list of prefixes like [2001:db8:100::/56]", single: true) {
            for item in items {
                guard let value = item.prefix6() else { continue }
                if let prefix, !prefix.contains(value.address) || value.length < prefix.length {
                    item.report(.conflict, "the excluded prefix \(value) is not inside the pool's prefix \(prefix)")
                    continue
                }
                excluded.append(value)
            }
        }
        let own =
            ["preferred_lifetime", "valid_lifetime", "renewal_time", "rebinding_time"].contains(where: map.has)
            ? lifetimes6(
                map, preferredKey: "preferred_lifetime", validKey: "valid_lifetime", renewalKey: "renewal_time",
                rebindingKey: "rebinding_time", default: lifetimes) : nil
        guard let prefix, let length else { return nil }
        return PrefixPool6Configuration(prefix: prefix, delegatedLength: length, excluded: excluded, lifetimes: own)
    }

    /// Preferred and valid lifetimes and T1/T2: preferred ≤ valid, T1 ≤ T2 ≤ preferred.
    func lifetimes6(
        _ map: YAMLMapping, preferredKey: String, validKey: String, renewalKey: String?, rebindingKey: String?,
        default fallback: Lifetimes6
    ) -> Lifetimes6 {
        var result = fallback
        if let value = map.optional(preferredKey)?.leaseTime() { result.preferred = value }
        if let value = map.optional(validKey)?.leaseTime() { result.valid = value }
        if let renewalKey, let value = map.optional(renewalKey)?.leaseTime() { result.renewal = value }
        if let rebindingKey, let value = map.optional(rebindingKey)?.leaseTime() { result.rebinding = value }
        if result.preferred > result.valid, let field = map.optional(preferredKey) ?? map.optional(validKey) {
            field.report(
                .conflict,
                "\(preferredKey) (\(result.preferred.configurationText)) must not be longer than "
                    + "\(validKey) (\(result.valid.configurationText))")
        }
        if let renewalKey, let rebindingKey {
            if let t1 = result.renewal, let t2 = result.rebinding, t1 > t2, let field = map.optional(renewalKey) {
                field.report(
                    .conflict,
                    "\(renewalKey) (\(t1.configurationText)) must not be longer than "
                        + "\(rebindingKey) (\(t2.configurationText))")
            }
            for (key, value) in [(renewalKey, result.renewal), (rebindingKey, result.rebinding)] {
                guard let value, value > result.preferred, let field = map.optional(key) else { continue }
                field.report(
                    .conflict,
                    "\(key) (\(value.configurationText)) must not be longer than the preferred lifetime "
                        + "(\(result.preferred.configurationText))")
            }
        }
        return result
    }

    /// Subnet names are unique; prefixes and pools never overlap across subnets.
    func checkAcrossSubnets6(_ subnets: [Subnet6Source]) {
        func at(_ field: YAMLValue) -> String { "\(field.path)\(lineNote(field))" }
        for (index, source) in subnets.enumerated() {
            let earlier = subnets[..<index]
            if let previous = earlier.first(where: { $0.configuration.name == source.configuration.name }) {
                (source.nameField ?? source.prefixField).report(
                    .conflict,
                    "the name \"\(source.configuration.name)\" is already used by \(at(previous.located)); "
                        + "give each subnet its own name")
            }
            if let previous = earlier.first(where: { $0.configuration.prefix.overlaps(source.configuration.prefix) }) {
                source.prefixField.report(
                    .conflict,
                    "\(source.configuration.prefix) overlaps \(previous.configuration.prefix) of "
                        + "\(at(previous.located)); each subnet needs its own prefix")
            }
        }
        let ranges = subnets.flatMap(\.ranges)
        for (index, pool) in ranges.enumerated() {
            if let previous = ranges[..<index].first(where: { $0.range.overlaps(pool.range) }) {
                pool.field.report(
                    .conflict,
                    "the range \(pool.range) overlaps \(previous.range) (\(at(previous.field))); "
                        + "each address belongs to one pool")
            }
        }
        let prefixes = subnets.flatMap(\.prefixPools)
        for (index, pool) in prefixes.enumerated() {
            if let previous = prefixes[..<index].first(where: { $0.prefix.overlaps(pool.prefix) }) {
                pool.field.report(
                    .conflict,
                    "the prefix pool \(pool.prefix) overlaps \(previous.prefix) (\(at(previous.field))); "
                        + "each prefix belongs to one pool")
            }
        }
    }

    // MARK: options

    static let option6ValueKeys = ["text", "addresses", "uint8", "uint16", "uint32", "domains", "hex"]

    /// Codes the server manages itself.
    static let reservedOption6Codes: [UInt16: String] = [
        0: "code 0 is reserved",
        1: "option 1 (client identifier) is sent by clients",
        2: "option 2 (server identifier) is the server's DUID (the server_id plugin sends it)",
        3: "option 3 (IA_NA) comes from the allocators", 4: "option 4 (IA_TA) comes from the allocators",
        5: "option 5 (IAADDR) comes from the allocators", 6: "option 6 (ORO) is sent by clients",
        9: "option 9 (relay message) is managed by the server", 13: "option 13 (status code) is managed by the server",
        14: "option 14 (rapid commit) comes from rapid_commit", 18: "option 18 (interface-id) is echoed from relays",
        23: "option 23 (DNS servers) comes from dns_servers", 24: "option 24 (domain search) comes from domain_search",
        25: "option 25 (IA_PD) comes from the allocators", 26: "option 26 (IAPREFIX) comes from the allocators",
        39: "option 39 (client FQDN) is managed by the server",
    ]

    func options6(_ located: YAMLValue) -> [Option6Configuration] {
        uniqueOptions(located, expected: "a list of options like {code: 82, uint32: 3600}", code: \.code) { option6($0) }
            .map(\.0)
    }

    func option6(_ item: YAMLValue) -> Option6Configuration? {
        guard
            let (code, key, field) = optionEntry(
                item, example: "{code: 82, uint32: 3600}", valueKeys: Self.option6ValueKeys, codes: 0...65535,
                codeText: "1 to 65535", reserved: Self.reservedOption6Codes)
        else { return nil }
        let value: Option6Configuration.Value?
        switch key {
        case "text":
            value = field.scalar("text of 1 to 65535 bytes") { (1...65535).contains($0.utf8.count) ? $0 : nil }.map {
                .text($0)
            }
        case "addresses":
            let addresses = field.items("a list of IPv6 addresses like [2001:db8::1]", single: true)?.compactMap {
                $0.ipv6()
            }
            if addresses?.isEmpty == true { field.invalid("at least one IPv6 address") }
            value = addresses.flatMap { $0.isEmpty ? nil : .addresses($0) }
        case "uint8": value = field.integer(0...UInt8.max, as: UInt8.self).map { .uint8($0) }
        case "uint16": value = field.integer(0...UInt16.max, as: UInt16.self).map { .uint16($0) }
        case "uint32": value = field.integer(0...UInt32.max, as: UInt32.self).map { .uint32($0) }
        case "domains":
            let names = field.items("a list of domain names like [example.com]", single: true)?.compactMap { item in
                item.scalar("a domain name like example.com") { ValueSyntax.domainName($0) != nil ? $0 : nil }
            }
            value = names.flatMap { $0.isEmpty ? nil : .domains($0) }
        default:
            value = field.scalar("hex bytes like 01a2ff or 01:a2:ff") { text in
                ValueSyntax.hex(text).flatMap { $0.count <= 65535 ? $0 : nil }
            }.map { .hex($0) }
        }
        guard let code, let value else { return nil }
        return Option6Configuration(code: code, value: value)
    }

    // MARK: plugins

    /// Allocating plugins and the pools they need: a plugin with no pool of its kind in any subnet is an
    /// error (it could never hand anything out — most likely a forgotten pools key).
    static let allocatingPlugins6: [Plugin6Configuration.Name: (key: String, has: @Sendable (Subnet6Configuration) -> Bool)] = [
        .range6: ("pools", { !$0.pools.isEmpty }), .privacy: ("temporary_pools", { !$0.temporaryPools.isEmpty }),
        .prefix: ("prefix_pools", { !$0.prefixPools.isEmpty }),
    ]

    mutating func plugins6(_ items: [YAMLValue], subnets: [Subnet6Configuration]) -> [Plugin6Configuration] {
        var chain: [(Plugin6Configuration, YAMLValue)] = []
        for item in items {
            guard let plugin = plugin6(item) else { continue }
            if ![.static6, .option].contains(plugin.name), let previous = chain.first(where: { $0.0.name == plugin.name }) {
                item.report(
                    .conflict,
                    "plugin \(plugin.name.rawValue) is already in the chain at \(previous.1.path)\(lineNote(previous.1)); "
                        + "list it once")
                continue
            }
            if plugin.name == .static6,
                let allocator = chain.first(where: { Self.allocatingPlugins6[$0.0.name] != nil })
            {
                item.report(
                    .conflict,
                    "static6 must come before \(allocator.0.name.rawValue) (\(allocator.1.path)\(lineNote(allocator.1))): "
                        + "a reservation satisfies an IA before the pools do")
            }
            if let need = Self.allocatingPlugins6[plugin.name], !subnets.isEmpty, !subnets.contains(where: need.has) {
                item.report(
                    .conflict,
                    "plugin \(plugin.name.rawValue) hands out from each subnet's \(need.key), but no subnet has any; "
                        + "add \(need.key) to a subnet or remove the plugin")
            }
            chain.append((plugin, item))
        }
        return chain.map(\.0)
    }

    mutating func plugin6(_ item: YAMLValue) -> Plugin6Configuration? {
        let expected = "a plugin name like range6, or a name with arguments like {static6: static6.yaml}"
        guard let (name, location, arguments) = pluginEntry(item, expected: expected, as: Plugin6Configuration.Name.self)
        else { return nil }
        var plugin = Plugin6Configuration(name: name, location: location)
        switch name {
        case .static6:
            guard let path = staticFileArgument(arguments, of: item, what: "the reservations file, like static6: static6.yaml")
            else { return nil }
            plugin.file = path
        case .sleep:
            guard let delay = sleepDelay(arguments, of: item) else { return nil }
            plugin.delay = delay
        case .option:
            guard
                let options = optionsArgument(
                    arguments, of: item, example: "{code: 82, uint32: 60}", parse: { options6($0) })
            else { return nil }
            plugin.options = options
        default:
            guard noArguments(arguments, plugin: name.rawValue, source: nil) else { return nil }
        }
        return plugin
    }
}

extension IPv6Prefix {
    /// Whether the two prefixes share any address (one contains the other).
    public func overlaps(_ other: IPv6Prefix) -> Bool {
        contains(other.address) && length <= other.length || other.contains(address) && other.length <= length
    }
}

extension IPv6Range {
    public func contains(_ address: IPv6Address) -> Bool { first <= address && address <= last }
    public func overlaps(_ other: IPv6Range) -> Bool { first <= other.last && other.first <= last }
}

extension YAMLValue {
    func ipv6(_ expected: String = "an IPv6 address like 2001:db8::1") -> IPv6Address? {
        scalar(expected) { IPv6Address($0) }
    }

    func prefix6() -> IPv6Prefix? {
        let expected = "an IPv6 prefix like 2001:db8:1::/64"
        guard let text, let prefix = IPv6Prefix(text), !text.contains(" ") else {
            invalid(expected)
            return nil
        }
        if let address = IPv6Address(text.split(separator: "/")[0]), address != prefix.address {
            report(.invalidValue, "expected the prefix \(prefix), got \"\(text)\" (bits beyond the length are set)")
            return nil
        }
        return prefix
    }

    func range6() -> IPv6Range? {
        let expected = "an address range like 2001:db8:1::100-2001:db8:1::1ff"
        guard let text, let range = IPv6Range(text) else {
            let parts = text?.split(separator: "-").compactMap { IPv6Address(String($0).filter { $0 != " " }) }
            invalid(expected, note: parts?.count == 2 ? "the first address is after the last" : nil)
            return nil
        }
        return range
    }
}
