public import Logging
import DHCPWire
import Foundation
import LeaseStore
import LessorControl
import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization
import UnixSignals

/// `lessor serve`: the store, the reclaimer, the DHCPv4 and DHCPv6 services and their sockets,
/// for the lifetime of a service group. SIGHUP reloads the configuration (a bad one is rejected and
/// the old one keeps serving); graceful shutdown stops the sockets, lets in-flight requests
/// commit, and closes the store.
public final class LessorServer: Service, Sendable {
    /// The version `status` reports.
    public static let version = "0.1.0"

    public let configurationFile: String
    public let counters = ServerCounters()
    private let logger: Logger
    private let current = Mutex<DHCPv4Runtime?>(nil)
    private let current6 = Mutex<DHCPv6Runtime?>(nil)

    public init(configurationFile: String, logger: Logger) {
        self.configurationFile = configurationFile
        self.logger = logger
    }

    public func run() async throws {
        let checked = try ConfigurationLoader.check(file: configurationFile)
        let configuration = checked.configuration
        guard configuration.server4 != nil || configuration.server6 != nil else {
            throw ServerError("\(configurationFile): nothing to serve (no server4 or server6 section)")
        }
        let store: any LeaseStore
        do {
            store = try StoreFactory.open(configuration.store)
        } catch {
            throw ServerError("cannot open the lease store: \(error)")
        }
        logger.info("lease store open", metadata: ["store": "\(store.providerName)"])

        let services: Services
        do {
            services = try await Services.start(configuration, store: store, counters: counters, logger: logger)
        } catch {
            await StoreFactory.close(store)
            throw error
        }
        current.withLock { $0 = services.runtime4 }
        current6.withLock { $0 = services.runtime6 }
        var control: ControlServer?
        if let settings = configuration.control {
            let backend = ServerControlBackend(
                counters: counters, startedAt: Date(), runtime: { [weak self] in self?.current.withLock { $0 } },
                runtime6: { [weak self] in self?.current6.withLock { $0 } })
            do {
                control = try await ControlServer.start(settings, store: store, backend: backend, logger: logger)
            } catch {
                await services.stop()
                await StoreFactory.close(store)
                throw ServerError("\(error)")
            }
        }

        let reclaimer = ExpiryReclaimer(
            store: store, interval: configuration.store.reclaimInterval, maxLeasesPerPass: configuration.store.reclaimMaxLeases,
            maxTimePerPass: configuration.store.reclaimMaxTime,
            onError: { [logger] error in logger.error("expiry reclamation failed: \(error)") })

        await withTaskGroup(of: Void.self) { group in
            group.addTask { await reclaimer.run() }
            group.addTask { [weak self] in await self?.followChanges(store) }
            group.addTask { [weak self] in await self?.reloadOnHangup(store: store, services: services, started: configuration) }
            // Run until a graceful shutdown (SIGTERM/SIGINT through the service group).
            try? await gracefulShutdown()
            logger.info("shutting down: closing sockets, finishing requests in flight")
            await services.stop()
            await control?.stop()
            await services.waitUntilIdle()
            group.cancelAll()
        }
        await StoreFactory.close(store)
        logger.info("stopped", metadata: ["counters": "\(counters.snapshot().filter { $0.value > 0 })"])
    }

    /// Keeps the current allocators' views in step with changes made elsewhere (expiry,
    /// operators, other servers on a shared store).
    private func followChanges(_ store: any LeaseStore) async {
        for await event in store.changes() {
            let allocator = current.withLock { $0?.allocator }
            let allocators6 = current6.withLock { $0.map { Array($0.allocators.values) } } ?? []
            switch event {
            case .change(let change):
                await allocator?.apply(change)
                for allocator6 in allocators6 { await allocator6.apply(change) }
            case .overflow:
                try? await allocator?.rebuild()
                for allocator6 in allocators6 { try? await allocator6.rebuild() }
            }
        }
    }

    private func reloadOnHangup(store: any LeaseStore, services: Services, started: ServerConfiguration) async {
        for await _ in await UnixSignalsSequence(trapping: .sighup) {
            do {
                let checked = try ConfigurationLoader.check(file: configurationFile)
                let configuration = checked.configuration
                if configuration.server4?.listen != started.server4?.listen || configuration.server6?.listen != started.server6?.listen
                    || (configuration.server4 == nil) != (started.server4 == nil) || (configuration.server6 == nil) != (started.server6 == nil)
                {
                    logger.warning("services or listen addresses changed: restart lessor to apply them; the rest is reloaded")
                }
                // Both are built before either is swapped in: a bad file changes nothing.
                var runtime4: DHCPv4Runtime?
                var runtime6: DHCPv6Runtime?
                if let server4 = configuration.server4, services.slot4 != nil {
                    runtime4 = try await DHCPv4Runtime.build(server4, store: store, counters: counters, logger: logger)
                }
                if let server6 = configuration.server6, let duid = services.serverDUID, services.slot6 != nil {
                    runtime6 = try await DHCPv6Runtime.build(server6, store: store, counters: counters, logger: logger, serverDUID: duid)
                }
                if let runtime4, let slot4 = services.slot4 {
                    current.withLock { $0 = runtime4 }
                    slot4.replace(runtime4.service)
                }
                if let runtime6, let slot6 = services.slot6 {
                    current6.withLock { $0 = runtime6 }
                    slot6.replace(Services.handler(runtime6.service))
                }
                logger.info("configuration reloaded", metadata: ["file": "\(configurationFile)"])
            } catch {
                logger.error("configuration not reloaded, the previous one keeps serving: \(error)")
            }
        }
    }
}

/// The DHCPv4 and DHCPv6 services of one `lessor serve`: runtimes, the slots the sockets hand
/// datagrams to (swapped on reload), and the sockets.
private struct Services: Sendable {
    var runtime4: DHCPv4Runtime?
    var slot4: ServiceSlot<DHCPv4Service>?
    var transports4: [UDPv4Transport] = []
    var runtime6: DHCPv6Runtime?
    var slot6: ServiceSlot<DHCPv6Handler>?
    var sockets6: DHCPv6Sockets?
    /// The DHCPv6 server DUID, read (or made) once at start.
    var serverDUID: DUID?

    static func handler(_ service: DHCPv6Service) -> DHCPv6Handler {
        { bytes, origin in await service.handle(bytes, origin: origin) }
    }

    /// Builds the runtimes and opens the sockets of every configured service; on failure, closes
    /// what it opened.
    static func start(
        _ configuration: ServerConfiguration, store: any LeaseStore, counters: ServerCounters, logger: Logger
    ) async throws -> Services {
        var services = Services()
        let group = MultiThreadedEventLoopGroup.singleton
        do {
            if let server4 = configuration.server4 {
                let runtime = try await DHCPv4Runtime.build(server4, store: store, counters: counters, logger: logger)
                let slot = ServiceSlot(runtime.service)
                services.runtime4 = runtime
                services.slot4 = slot
                for listen in server4.listen {
                    let transport = UDPv4Transport(listen: listen, port: server4.port, slot: slot, logger: logger)
                    try await transport.start(on: group)
                    services.transports4.append(transport)
                }
            }
            if let server6 = configuration.server6 {
                let path = server6.serverDUIDFile ?? ServerDUIDFile.defaultPath(for: configuration.store)
                let duid = try ServerDUIDFile.loadOrCreate(path: path)
                let runtime = try await DHCPv6Runtime.build(server6, store: store, counters: counters, logger: logger, serverDUID: duid)
                let slot = ServiceSlot(handler(runtime.service))
                services.serverDUID = duid
                services.runtime6 = runtime
                services.slot6 = slot
                services.sockets6 = try await DHCPv6Sockets.start(server6, slot: slot, counters: counters, logger: logger, on: group)
                logger.info("DHCPv6 server DUID", metadata: ["duid": "\(duid)", "file": "\(path)"])
            }
        } catch {
            await services.stop()
            throw ServerError("\(error)")
        }
        return services
    }

    func stop() async {
        for transport in transports4 { await transport.stop() }
        await sockets6?.stop()
    }

    func waitUntilIdle() async {
        await slot4?.waitUntilIdle()
        await slot6?.waitUntilIdle()
    }
}

public struct ServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The service the sockets hand datagrams to (a DHCPv4Service, or a DHCPv6 handler), swappable
/// on reload, and a count of requests in flight so shutdown can wait for them.
final class ServiceSlot<Service: Sendable>: Sendable {
    private let state: Mutex<(service: Service, inFlight: Int)>

    init(_ service: Service) { state = Mutex((service, 0)) }

    var service: Service { state.withLock { $0.service } }

    func replace(_ service: Service) { state.withLock { $0.service = service } }

    /// Claims a slot for one request; nil when `limit` are already in flight.
    func enter(limit: Int) -> Service? {
        state.withLock { state in
            guard state.inFlight < limit else { return nil }
            state.inFlight += 1
            return state.service
        }
    }

    func leave() { state.withLock { $0.inFlight -= 1 } }

    /// Requests in flight now.
    var inFlight: Int { state.withLock { $0.inFlight } }

    func waitUntilIdle() async {
        for _ in 0..<500 where inFlight > 0 {  // at most 5 s
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
