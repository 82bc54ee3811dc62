import Logging

/// Runs one request through a plugin chain (DHCPv4 or DHCPv6): in order, until a plugin stops or
/// drops it. A drop is counted; a thrown error — the store could not record a lease — is counted and
/// logged, and the request gets no reply (DESIGN.md §3 invariant 2: the client retries).
enum PluginChainRunner {
    enum End {
        case finished
        case dropped(by: String)
        case failed
    }

    static func run(
        _ names: [String], counters: ServerCounters, log: Logger, metadata: () -> Logger.Metadata = { [:] },
        step: (Int) async throws -> PluginVerdict
    ) async -> End {
        do {
            for index in names.indices {
                switch try await step(index) {
                case .continue: continue
                case .stop: return .finished
                case .drop:
                    counters.bump(.dropped)
                    return .dropped(by: names[index])
                }
            }
            return .finished
        } catch {
            counters.bump(.storeFailures)
            log.error("request not answered: \(error)", metadata: metadata())
            return .failed
        }
    }
}
