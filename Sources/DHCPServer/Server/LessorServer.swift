public import Logging
import Foundation
import LeaseStore
import LessorControl
import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization
import UnixSignals

/// `lessor serve`: the store, the reclaimer, the DHCPv4 service and its sockets, for the
/// lifetime of a service group. SIGHUP reloads the configuration (a bad one is rejected and
/// the old one keeps serving); graceful shutdown stops the sockets, lets in-flight requests
/// commit, and closes the store.
public final class LessorServer: Service, Sendable {
    /// The version `status` reports.
    public static let version = "0.1.0"

    public let configurationFile: String
    public let counters = ServerCounters()
    private let logger: Logger
    private let current = Mutex<DHCPv4Runtime?>(nil)

    public init(configurationFile: String, logger: Logger) {
        self.configurationFile = configurationFile
        self.logger = logger
    }

    public func run() async throws {
        let checked = try ConfigurationLoader.check(file: configurationFile)
        let configuration = checked.configuration
        guard let server4 = configuration.server4 else {
            throw ServerError("\(configurationFile): nothing to serve (no server4 section)")
        }
        let store: any LeaseStore
        do {
            store = try StoreFactory.open(configuration.store)
        } catch {
            throw ServerError("cannot open the lease store: \(error)")
        }
        logger.info("lease store open", metadata: ["store": "\(store.providerName)"])

        let runtime = try await DHCPv4Runtime.build(server4, store: store, counters: counters, logger: logger)
        current.withLock { $0 = runtime }
        var control: ControlServer?
        if let settings = configuration.control {
            let backend = ServerControlBackend(counters: counters, startedAt: Date()) { [weak self] in self?.current.withLock { $0 } }
            do {
                control = try await ControlServer.start(settings, store: store, backend: backend, logger: logger)
            } catch {
                await StoreFactory.close(store)
                throw ServerError("\(error)")
            }
        }
        let slot = ServiceSlot(runtime.service)
        let transports = server4.listen.map {
            UDPv4Transport(listen: $0, port: server4.port, slot: slot, logger: logger)
        }
        for transport in transports { try await transport.start(on: MultiThreadedEventLoopGroup.singleton) }

        let reclaimer = ExpiryReclaimer(
            store: store, interval: configuration.store.reclaimInterval, maxLeasesPerPass: configuration.store.reclaimMaxLeases,
            maxTimePerPass: configuration.store.reclaimMaxTime,
            onError: { [logger] error in logger.error("expiry reclamation failed: \(error)") })

        await withTaskGroup(of: Void.self) { group in
            group.addTask { await reclaimer.run() }
            group.addTask { [weak self] in await self?.followChanges(store) }
            group.addTask { [weak self] in await self?.reloadOnHangup(store: store, slot: slot, listen: server4.listen) }
            // Run until a graceful shutdown (SIGTERM/SIGINT through the service group).
            try? await gracefulShutdown()
            logger.info("shutting down: closing sockets, finishing requests in flight")
            for transport in transports { await transport.stop() }
            await control?.stop()
            await slot.waitUntilIdle()
            group.cancelAll()
        }
        await StoreFactory.close(store)
        logger.info("stopped", metadata: ["counters": "\(counters.snapshot().filter { $0.value > 0 })"])
    }

    /// Keeps the current allocator's view in step with changes made elsewhere (expiry,
    /// operators, other servers on a shared store).
    private func followChanges(_ store: any LeaseStore) async {
        for await event in store.changes() {
            guard let allocator = current.withLock({ $0?.allocator }) else { continue }
            switch event {
            case .change(let change): await allocator.apply(change)
            case .overflow: try? await allocator.rebuild()
            }
        }
    }

    private func reloadOnHangup(store: any LeaseStore, slot: ServiceSlot<DHCPv4Service>, listen: [DHCPv4Configuration.Listen]) async {
        for await _ in await UnixSignalsSequence(trapping: .sighup) {
            do {
                let checked = try ConfigurationLoader.check(file: configurationFile)
                guard let server4 = checked.configuration.server4 else { throw ServerError("no server4 section") }
                if server4.listen != listen {
                    logger.warning("listen addresses changed: restart lessor to apply them; the rest is reloaded")
                }
                let runtime = try await DHCPv4Runtime.build(server4, store: store, counters: counters, logger: logger)
                current.withLock { $0 = runtime }
                slot.replace(runtime.service)
                logger.info("configuration reloaded", metadata: ["file": "\(configurationFile)"])
            } catch {
                logger.error("configuration not reloaded, the previous one keeps serving: \(error)")
            }
        }
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
