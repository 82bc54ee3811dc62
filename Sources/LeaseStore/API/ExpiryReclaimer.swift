/// Drives a store's reclamation: a bounded pass every `interval`, and passes back to back
/// while a pass reports more work due (Kea's defaults: 100 leases / 250 ms a pass).
public struct ExpiryReclaimer: Sendable {
    public var store: any LeaseStore
    public var interval: Duration
    public var maxLeasesPerPass: Int
    public var maxTimePerPass: Duration
    public var onError: @Sendable (LeaseStoreError) -> Void

    public init(
        store: any LeaseStore, interval: Duration = .seconds(1), maxLeasesPerPass: Int = 100,
        maxTimePerPass: Duration = .milliseconds(250), onError: @escaping @Sendable (LeaseStoreError) -> Void = { _ in }
    ) {
        self.store = store
        self.interval = interval
        self.maxLeasesPerPass = maxLeasesPerPass
        self.maxTimePerPass = maxTimePerPass
        self.onError = onError
    }

    /// Runs until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            var moreDue = false
            do {
                moreDue = try await store.reclaimExpired(limit: maxLeasesPerPass, timeBudget: maxTimePerPass).moreDue
            } catch {
                onError(error)
            }
            if moreDue {
                await Task.yield()
            } else {
                try? await Task.sleep(for: interval)
            }
        }
    }
}
