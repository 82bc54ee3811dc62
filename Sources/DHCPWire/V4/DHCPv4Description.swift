/// One-line text forms for logs and debugging: known options decoded, others in hex, malformed ones flagged.
extension DHCPv4Message: CustomStringConvertible {
    /// "DISCOVER xid 0x1a2b3c4d chaddr 52:54:00:12:34:56 ciaddr 0.0.0.0 … [53 message type: DISCOVER, …]"
    public var description: String {
        let type = (try? messageType).flatMap { $0?.description } ?? op.description
        return "\(type) xid 0x\(String(xid, radix: 16)) chaddr \(chaddr) ciaddr \(ciaddr) yiaddr \(yiaddr)"
            + " siaddr \(siaddr) giaddr \(giaddr)" + (isBroadcast ? " broadcast" : "") + " [\(options)]"
    }
}

extension DHCPv4Options: CustomStringConvertible {
    public var description: String { map(Self.describe).joined(separator: ", ") }

    /// "51 lease time: 3600", "200: 0a0b", "51 lease time: malformed (…)".
    static func describe(_ option: DHCPv4Option) -> String {
        let name = "\(option.code)" + (name(of: option.code).map { " \($0)" } ?? "")
        do throws(WireError) {
            return "\(name): \(try value(of: option) ?? option.data.hexString())"
        } catch {
            return "\(name): malformed (\(error))"
        }
    }

    /// The typed value as text, for the codes that have a key; nil for the others.
    private static func value(of option: DHCPv4Option) throws(WireError) -> String? {
        func text<Value>(_ key: DHCPv4OptionKey<Value>) throws(WireError) -> String {
            String(describing: try key.coding.decode(option, label: key.label))
        }
        switch option.code {
        case 1: return try text(.subnetMask)
        case 3: return try text(.routers)
        case 6: return try text(.domainNameServers)
        case 12: return try text(.hostName)
        case 15: return try text(.domainName)
        case 26: return try text(.interfaceMTU)
        case 28: return try text(.broadcastAddress)
        case 42: return try text(.ntpServers)
        case 50: return try text(.requestedAddress)
        case 51: return try text(.leaseTime)
        case 53: return try text(.messageType)
        case 54: return try text(.serverIdentifier)
        case 55: return try text(.parameterRequestList)
        case 57: return try text(.maximumMessageSize)
        case 58: return try text(.renewalTime)
        case 59: return try text(.rebindingTime)
        case 60: return try text(.vendorClassIdentifier)
        case 61: return try text(.clientIdentifier)
        case 66: return try text(.tftpServerName)
        case 67: return try text(.bootfileName)
        case 80: return try text(.rapidCommit)
        case 81: return try text(.clientFQDN)
        case 82: return try text(.relayAgentInformation)
        case 116: return try text(.autoConfigure)
        case 118: return try text(.subnetSelection)
        case 119: return try text(.domainSearch)
        case 121: return try text(.classlessStaticRoutes)
        default: return nil
        }
    }
}

extension DHCPv4RelayAgentInformation: CustomStringConvertible {
    /// "{1 circuit id: 657468302f31, 2 remote id: 0011223344}"
    public var description: String {
        let items = subOptions.map { option in
            "\(option.code)" + (Self.name(of: option.code).map { " \($0)" } ?? "") + ": \(option.data.hexString())"
        }
        return "{" + items.joined(separator: ", ") + "}"
    }
}

extension DHCPv4ClientFQDN: CustomStringConvertible {
    /// "host.example.com. flags 0x05": a fully qualified wire name ends with a dot, an ASCII one is quoted.
    public var description: String {
        let text: String
        switch name {
        case .wire(let domainName, let fullyQualified):
            text = domainName.description + (fullyQualified && !domainName.labels.isEmpty ? "." : "")
        case .ascii(let ascii):
            text = "\"\(ascii)\""
        }
        return "\(text) flags 0x\(String(flags.rawValue, radix: 16))"
    }
}
