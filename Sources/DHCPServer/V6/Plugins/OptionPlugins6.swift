import DHCPWire
import Foundation

/// The DHCPv6 plugins that add configuration options. Each sends an option only when the client's
/// ORO asks for it (or the client sent no ORO) and the subnet configures it.

/// `server_id`: the service always sends the server's DUID and checks the Server Identifier of every
/// message (RFC 8415 §16); the plugin exists so a `server6` chain reads like a `server4` one.
struct ServerIDPlugin6: DHCPv6Plugin {
    let name = "server_id"

    func handle(_ context: inout DHCPv6Context) async throws -> PluginVerdict { .continue }
}

/// `lease_time`: the subnet's preferred/valid lifetimes and T1/T2 for the reservations that follow
/// (`static6`); without it they get the built-in defaults (3600 s/7200 s). Pools grant the lifetimes
/// configured for each pool whatever the chain says.
struct LeaseTimePlugin6: DHCPv6Plugin {
    let name = "lease_time"

    func handle(_ context: inout DHCPv6Context) async throws -> PluginVerdict {
        if let subnet = context.subnet {
            context.lifetimes = subnet.lifetimes
            context.temporaryLifetimes = subnet.temporaryLifetimes
        }
        return .continue
    }
}

/// `dns6`: DNS recursive name servers (option 23, RFC 3646).
struct DNSPlugin6: DHCPv6Plugin {
    let name = "dns6"

    func handle(_ context: inout DHCPv6Context) async throws -> PluginVerdict {
        if let servers = context.subnet?.dnsServers, !servers.isEmpty, context.wants(.dnsServers) {
            context.options.set(DHCPv6DNSServers(addresses: servers))
        }
        return .continue
    }
}

/// `domain_search6`: the domain search list (option 24), names in RFC 1035 wire form.
struct DomainSearchPlugin6: DHCPv6Plugin {
    let name = "domain_search6"

    func handle(_ context: inout DHCPv6Context) async throws -> PluginVerdict {
        let names = (context.subnet?.domainSearch ?? []).compactMap { DomainName($0) }
        if !names.isEmpty, context.wants(.domainSearchList) {
            context.options.set(DHCPv6DomainSearchList(domains: names))
        }
        return .continue
    }
}

/// `option`: any option by code — the plugin entry's own, then the subnet's (which win).
struct GenericOptionPlugin6: DHCPv6Plugin {
    let name = "option"
    let options: [Option6Configuration]

    func handle(_ context: inout DHCPv6Context) async throws -> PluginVerdict {
        for option in options + (context.subnet?.options ?? []) where context.wants(DHCPv6OptionCode(option.code)) {
            context.options.set(DHCPv6Option(code: DHCPv6OptionCode(option.code), data: option.bytes))
        }
        return .continue
    }
}

extension SleepPlugin: DHCPv6Plugin {
    func handle(_ context: inout DHCPv6Context) async throws -> PluginVerdict {
        try await Task.sleep(for: delay)
        return .continue
    }
}

extension Option6Configuration {
    /// The option's payload on the wire.
    public var bytes: [UInt8] {
        switch value {
        case .text(let text): Array(text.utf8)
        case .addresses(let addresses): addresses.flatMap(\.bytes)
        case .uint8(let value): [value]
        case .uint16(let value): [UInt8(value >> 8), UInt8(truncatingIfNeeded: value)]
        case .uint32(let value): (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        case .domains(let names): DHCPv6Option(DHCPv6DomainSearchList(domains: names.compactMap { DomainName($0) })).data
        case .hex(let bytes): bytes
        }
    }
}
