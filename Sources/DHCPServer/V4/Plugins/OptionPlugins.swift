import DHCPWire
import Foundation

/// The plugins that add options from the selected subnet's configuration. Each adds its
/// options only when the subnet configures them; a NAK is trimmed later, whatever they added.

/// `server_id`: requests that name another server in option 54 are not ours. A REQUEST that
/// does goes on to the allocators, which withdraw this server's offer; anything else is dropped.
struct ServerIDPlugin: DHCPv4Plugin {
    let name = "server_id"

    func handle(_ context: inout DHCPv4Context) async throws -> PluginVerdict {
        guard let named = try? context.request.serverIdentifier, named != context.serverID else { return .continue }
        if context.messageType == .request { return .continue }
        context.note = "option 54 names \(named), not this server"
        return .drop
    }
}

/// `lease_time`: the subnet's lease time with T1/T2 (default 50 % and 87.5 %).
struct LeaseTimePlugin: DHCPv4Plugin {
    let name = "lease_time"

    func handle(_ context: inout DHCPv4Context) async throws -> PluginVerdict {
        let lease = context.subnet.leaseTime ?? DHCPv4Service.defaultLeaseTime
        context.leaseTime = lease
        guard context.messageType != .inform else { return .continue }  // RFC 2131 §3.4: no lease time in INFORM replies
        let seconds = UInt32(clamping: lease.components.seconds)
        context.reply.options.set(.leaseTime, seconds)
        context.reply.options.set(.renewalTime, context.subnet.renewalTime.map { UInt32(clamping: $0.components.seconds) } ?? seconds / 2)
        context.reply.options.set(
            .rebindingTime, context.subnet.rebindingTime.map { UInt32(clamping: $0.components.seconds) } ?? UInt32(UInt64(seconds) * 7 / 8))
        return .continue
    }
}

struct NetmaskPlugin: DHCPv4Plugin {
    let name = "netmask"

    func handle(_ context: inout DHCPv4Context) async throws -> PluginVerdict {
        context.reply.options.set(.subnetMask, context.subnet.subnet.mask)
        context.reply.options.set(.broadcastAddress, context.subnet.subnet.broadcast)
        return .continue
    }
}

struct RouterPlugin: DHCPv4Plugin {
    let name = "router"

    func handle(_ context: inout DHCPv4Context) async throws -> PluginVerdict {
        if !context.subnet.routers.isEmpty { context.reply.options.set(.routers, context.subnet.routers) }
        return .continue
    }
}

/// `dns`: name servers (6) and the domain name (15).
struct DNSPlugin: DHCPv4Plugin {
    let name = "dns"

    func handle(_ context: inout DHCPv4Context) async throws -> PluginVerdict {
        if !context.subnet.dnsServers.isEmpty { context.reply.options.set(.domainNameServers, context.subnet.dnsServers) }
        if let domain = context.subnet.domainName { context.reply.options.set(.domainName, domain) }
        if !context.subnet.ntpServers.isEmpty { context.reply.options.set(.ntpServers, context.subnet.ntpServers) }
        return .continue
    }
}

struct DomainSearchPlugin: DHCPv4Plugin {
    let name = "domain_search"

    func handle(_ context: inout DHCPv4Context) async throws -> PluginVerdict {
        let names = context.subnet.domainSearch.compactMap { DomainName($0) }
        if !names.isEmpty { context.reply.options.set(.domainSearch, names) }
        return .continue
    }
}

struct MTUPlugin: DHCPv4Plugin {
    let name = "mtu"

    func handle(_ context: inout DHCPv4Context) async throws -> PluginVerdict {
        if let mtu = context.subnet.mtu { context.reply.options.set(.interfaceMTU, mtu) }
        return .continue
    }
}

struct ClasslessRoutesPlugin: DHCPv4Plugin {
    let name = "classless_routes"

    func handle(_ context: inout DHCPv4Context) async throws -> PluginVerdict {
        let routes = context.subnet.classlessRoutes.compactMap {
            DHCPv4ClasslessRoute(destination: $0.destination.network, prefixLength: $0.destination.prefixLength, router: $0.gateway)
        }
        if !routes.isEmpty { context.reply.options.set(.classlessStaticRoutes, routes) }
        return .continue
    }
}

/// `nbp`: network boot — next server (siaddr, option 66) and boot file (file, option 67).
struct NetworkBootPlugin: DHCPv4Plugin {
    let name = "nbp"

    func handle(_ context: inout DHCPv4Context) async throws -> PluginVerdict {
        if let next = context.subnet.nextServer {
            context.reply.siaddr = next
            context.reply.options.set(.tftpServerName, next.description)
        }
        if let file = context.subnet.bootFile {
            context.reply.bootFileName = file
            context.reply.options.set(.bootfileName, file)
        }
        return .continue
    }
}

/// `option`: any option by code — the plugin entry's own, then the subnet's (which win).
struct GenericOptionPlugin: DHCPv4Plugin {
    let name = "option"
    let options: [OptionConfiguration]

    func handle(_ context: inout DHCPv4Context) async throws -> PluginVerdict {
        for option in options + context.subnet.options { context.reply.options[option.code] = option.bytes }
        return .continue
    }
}

/// `sleep`: delays every request (to test clients' retries and the server's concurrency).
struct SleepPlugin: DHCPv4Plugin {
    let name = "sleep"
    let delay: Duration

    func handle(_ context: inout DHCPv4Context) async throws -> PluginVerdict {
        try await Task.sleep(for: delay)
        return .continue
    }
}
