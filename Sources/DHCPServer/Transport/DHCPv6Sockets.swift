import Logging
import NIOCore

/// The sockets of a `server6` section: one `UDPv6Transport` per `listen` entry, all handing
/// datagrams to one slot (swapped on reload). Starting is all or nothing: when one socket
/// cannot be opened, those already open are closed again before the error is thrown.
struct DHCPv6Sockets: Sendable {
    let transports: [UDPv6Transport]

    static func start(
        _ configuration: DHCPv6Configuration, slot: ServiceSlot<DHCPv6Handler>, counters: ServerCounters, logger: Logger,
        on group: any EventLoopGroup
    ) async throws -> DHCPv6Sockets {
        var started: [UDPv6Transport] = []
        for listen in configuration.listen {
            let transport = UDPv6Transport(
                listen: listen, port: configuration.port, siteMulticast: configuration.siteMulticast, slot: slot, counters: counters,
                logger: logger)
            do {
                try await transport.start(on: group)
            } catch {
                for open in started { await open.stop() }
                throw error
            }
            started.append(transport)
        }
        return DHCPv6Sockets(transports: started)
    }

    func stop() async {
        for transport in transports { await transport.stop() }
    }
}
