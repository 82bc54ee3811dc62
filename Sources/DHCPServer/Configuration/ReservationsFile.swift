public import DHCPWire
import Yams

/// A fixed address for one client, from the `static` plugin's reservations file.
///
/// Equality and hashing ignore `location`, so a reload that only moved lines around compares equal.
public struct Reservation: Sendable, Hashable, CustomStringConvertible {
    /// How the client is recognised.
    public enum Match: Sendable, Hashable, CustomStringConvertible {
        /// chaddr (Ethernet, `mac:` in the file).
        case hardwareAddress(HardwareAddress)
        /// The DHCPv4 client identifier, option 61's bytes including its type byte (`client_id:`).
        case clientID([UInt8])
        /// A DHCPv6 DUID (`duid:`).
        case duid(DUID)

        /// The file's own notation: `mac aa:bb:…`, `client_id 01aabb…`, `duid 0003…`.
        public var description: String {
            switch self {
            case .hardwareAddress(let address): "mac \(address)"
            case .clientID(let bytes): "client_id \(bytes.hexString())"
            case .duid(let duid): "duid \(duid)"
            }
        }
    }

    public enum Address: Sendable, Hashable, CustomStringConvertible {
        case v4(IPv4Address)
        case v6(IPv6Address)
        /// A delegated prefix (`static6`, IA_PD).
        case prefix(IPv6Prefix)

        var isPrefix: Bool {
            if case .prefix = self { true } else { false }
        }

        public var description: String {
            switch self {
            case .v4(let address): address.description
            case .v6(let address): address.description
            case .prefix(let prefix): prefix.description
            }
        }
    }

    public var match: Match
    public var address: Address
    public var hostname: String?
    /// `file:line:column` of the entry, for logs.
    public var location: String

    public init(match: Match, address: Address, hostname: String? = nil, location: String = "") {
        self.match = match
        self.address = address
        self.hostname = hostname
        self.location = location
    }

    /// The address when it is an IPv4 one.
    public var ipv4: IPv4Address? {
        if case .v4(let address) = address { address } else { nil }
    }

    public var description: String {
        "\(match) → \(address)" + (hostname.map { " (\($0))" } ?? "")
    }

    public static func == (lhs: Reservation, rhs: Reservation) -> Bool {
        lhs.match == rhs.match && lhs.address == rhs.address && lhs.hostname == rhs.hostname
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(match)
        hasher.combine(address)
        hasher.combine(hostname)
    }
}

/// The `static` plugin's file: a YAML list of reservations.
///
/// ```yaml
/// - {mac: "aa:bb:cc:dd:ee:ff", address: 192.0.2.10, hostname: printer}
/// - {client_id: "01aabbccddeeff", address: 192.0.2.11}
/// ```
///
/// Each entry has exactly one of `mac`, `client_id`, `duid`, an `address` and optionally a `hostname`. A
/// client is reserved once and an address once; both duplicates are reported with both lines.
public enum ReservationsFile {
    /// Reads and validates the file. With `subnets`, every IPv4 address must also be a host address inside
    /// one of them and not one the subnet already uses (server_id, routers); with `subnets6`, every IPv6
    /// address must be inside one of their prefixes.
    public static func load(
        path: String, subnets: [SubnetConfiguration]? = nil, subnets6: [Subnet6Configuration]? = nil
    ) throws(ConfigurationError) -> [Reservation] {
        try load(path: path, displayPath: path, subnets: subnets, subnets6: subnets6)
    }

    /// Validates reservations given as text; `file` names it in messages.
    public static func parse(
        yaml: String, file: String, subnets: [SubnetConfiguration]? = nil, subnets6: [Subnet6Configuration]? = nil
    ) throws(ConfigurationError) -> [Reservation] {
        let diagnostics = ConfigurationDiagnostics(file: file)
        let reservations = read(yaml, diagnostics: diagnostics, subnets: subnets, subnets6: subnets6)
        guard !diagnostics.hasProblems else { throw ConfigurationError(problems: diagnostics.sortedProblems) }
        return reservations
    }

    static func load(
        path: String, displayPath: String, subnets: [SubnetConfiguration]?, subnets6: [Subnet6Configuration]? = nil
    ) throws(ConfigurationError) -> [Reservation] {
        let text: String
        do {
            text = try ConfigurationFiles.read(path)
        } catch {
            throw ConfigurationError(
                problems: error.problems.map { problem in
                    var problem = problem
                    problem.file = displayPath
                    return problem
                })
        }
        return try parse(yaml: text, file: displayPath, subnets: subnets, subnets6: subnets6)
    }

    static let keys = ["mac", "client_id", "duid", "address", "hostname"]
    static let entryExample = "a reservation like {mac: \"aa:bb:cc:dd:ee:ff\", address: 192.0.2.10, hostname: printer}"

    private static func read(
        _ text: String, diagnostics: ConfigurationDiagnostics, subnets: [SubnetConfiguration]?,
        subnets6: [Subnet6Configuration]?
    ) -> [Reservation] {
        guard case .some(let composed) = YAMLDocument.compose(text, diagnostics: diagnostics), let root = composed
        else {
            return []  // a syntax error (reported), or an empty file: no reservations
        }
        let document = YAMLValue(node: root, path: "", diagnostics: diagnostics)
        guard !document.isNull else { return [] }
        guard
            let items = document.items(
                "a list of reservations, each like {mac: \"aa:bb:cc:dd:ee:ff\", address: 192.0.2.10}")
        else { return [] }

        var result: [(Reservation, YAMLValue)] = []
        for item in items {
            guard let (reservation, matchField, addressField) = entry(item, diagnostics: diagnostics) else { continue }
            // A DHCPv6 client may have one address and one prefix reserved.
            if let previous = result.first(where: {
                $0.0.match == reservation.match && $0.0.address.isPrefix == reservation.address.isPrefix
            }) {
                matchField.report(
                    .conflict,
                    "\(reservation.match) is already reserved by \(previous.1.path)\(lineNote(previous.1)); "
                        + "keep one reservation per client"
                )
            }
            if let previous = result.first(where: { $0.0.address == reservation.address }) {
                addressField.report(
                    .conflict,
                    "\(reservation.address) is already reserved for \(previous.1.path)\(lineNote(previous.1)); "
                        + "keep one client per address"
                )
            }
            if let subnets, case .v4(let address) = reservation.address {
                check(address, field: addressField, subnets: subnets)
            }
            if let subnets6, case .v6(let address) = reservation.address,
                !subnets6.contains(where: { $0.prefix.contains(address) })
            {
                let list = subnets6.map { "\($0.name) \($0.prefix)" }.joined(separator: ", ")
                addressField.report(
                    .conflict, "\(address) is not inside any configured server6 subnet (\(list)); a client could never use it")
            }
            result.append((reservation, item))
        }
        return result.map(\.0)
    }

    private static func entry(_ item: YAMLValue, diagnostics: ConfigurationDiagnostics) -> (
        Reservation, YAMLValue, YAMLValue
    )? {
        guard let map = item.mapping(entryExample, keys: keys) else { return nil }
        let given = ["mac", "client_id", "duid"].filter(map.has)
        var match: (Reservation.Match, YAMLValue)?
        if given.count > 1 {
            item.report(.conflict, "give one of mac, client_id or duid, found \(given.joined(separator: " and "))")
        } else if given.isEmpty {
            item.report(.missingKey, "missing key \"mac\", \"client_id\" or \"duid\": which client the address is for")
        } else if let key = given.first, let field = map.optional(key) {
            switch key {
            case "mac":
                match = field.scalar("a MAC address like \"aa:bb:cc:dd:ee:ff\"", macAddress).map {
                    (.hardwareAddress($0), field)
                }
            case "client_id":
                match = field.scalar("a client identifier in hex, 2 to 255 bytes, like \"01aabbccddeeff\"") { text in
                    ValueSyntax.hex(text).flatMap { (2...255).contains($0.count) ? $0 : nil }
                }.map { (.clientID($0), field) }
            default:
                let expected = "a DUID in hex, like \"000300010a0b0c0d0e0f\""
                if let bytes = field.scalar(expected, ValueSyntax.hex) {
                    do {
                        match = (.duid(try DUID(bytes: bytes)), field)
                    } catch {
                        let why = if case .invalidValue(let why) = error.reason { why } else { "malformed" }
                        field.invalid(expected, note: why)
                    }
                }
            }
        }
        let addressField = map.required("address", "the reserved address, like 192.0.2.10")
        let address: Reservation.Address? = addressField?.scalar(
            "an IPv4 address like 192.0.2.10 (or an IPv6 address, or an IPv6 prefix like 2001:db8:100::/56)"
        ) {
            if let v4 = IPv4Address($0) { return .v4(v4) }
            if let prefix = IPv6Prefix($0), IPv6Address($0.split(separator: "/")[0]) == prefix.address {
                return .prefix(prefix)
            }
            return IPv6Address($0).map { .v6($0) }
        }
        if case .v4(let v4) = address, !v4.isUnicast, let addressField {
            addressField.report(.invalidValue, "expected a unicast address, got \(v4)")
        }
        let hostname = map.optional("hostname")?.scalar(
            "a host name like printer or printer.example.com (letters, digits and inner -)", ValueSyntax.hostname)
        // An invalid hostname is already reported; the entry still takes part in the duplicate checks.
        guard let match, let address, let addressField else { return nil }
        let location = "\(item.diagnostics.file):\(item.mark?.line ?? 0):\(item.mark?.column ?? 0)"
        return (
            Reservation(match: match.0, address: address, hostname: hostname, location: location), match.1, addressField
        )
    }

    /// "aa:bb:cc:dd:ee:ff", "aa-bb-cc-dd-ee-ff" or "aabbccddeeff": six bytes.
    static func macAddress(_ text: String) -> HardwareAddress? {
        if text.count == 12, let bytes = ValueSyntax.hex(text) { return HardwareAddress(bytes: bytes) }
        let pieces = text.split(separator: text.contains(":") ? ":" : "-", omittingEmptySubsequences: false)
        guard pieces.count == 6, pieces.allSatisfy({ $0.count == 2 }), let address = HardwareAddress(text),
            address.bytes.count == 6
        else { return nil }
        return address
    }

    private static func check(_ address: IPv4Address, field: YAMLValue, subnets: [SubnetConfiguration]) {
        guard let subnet = subnets.first(where: { $0.subnet.contains(address) }) else {
            let list = subnets.map { "\($0.name) \($0.subnet)" }.joined(separator: ", ")
            field.report(
                .conflict, "\(address) is not inside any configured subnet (\(list)); a client could never use it")
            return
        }
        if subnet.subnet.prefixLength <= 30, address == subnet.subnet.network || address == subnet.subnet.broadcast {
            let which = address == subnet.subnet.network ? "network" : "broadcast"
            field.report(.conflict, "\(address) is the \(which) address of subnet \(subnet.name), not a host")
        } else if address == subnet.serverID {
            field.report(.conflict, "\(address) is the server_id of subnet \(subnet.name); reserve another address")
        } else if subnet.routers.contains(address) {
            field.report(.conflict, "\(address) is a router of subnet \(subnet.name); reserve another address")
        }
    }
}
