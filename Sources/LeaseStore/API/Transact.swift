/// How `transact` retries. Attempts are bounded so a hot client or a dead backend cannot keep
/// a request forever.
public struct RetryPolicy: Sendable {
    /// Lookups (first try plus retries after a conflict or an address in use).
    public var maxAttempts: Int
    /// Retries of one call after transport errors.
    public var maxTransportRetries: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration

    public init(maxAttempts: Int = 8, maxTransportRetries: Int = 4, initialBackoff: Duration = .milliseconds(5),
                maxBackoff: Duration = .milliseconds(200)) {
        self.maxAttempts = maxAttempts
        self.maxTransportRetries = maxTransportRetries
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    public static let `default` = RetryPolicy()

    func backoff(_ retry: Int) -> Duration {
        let base = initialBackoff * (1 << min(retry, 16))
        let capped = min(base, maxBackoff)
        // Full jitter: spread retries of many tasks that failed together.
        return capped * Double.random(in: 0.5...1.0)
    }
}

/// What the body of `transact` sees and edits.
public struct LeaseTransaction: Sendable {
    public let client: ClientID
    /// The leases as looked up.
    public let current: [Lease]
    /// The leases to write; starts as `current`. Leave it unchanged to write nothing.
    public var leases: [Lease]
    /// Addresses or prefixes found held by other clients during earlier attempts: pick others.
    public let unavailable: Set<LeaseResource>
    /// 1 for the first attempt.
    public let attempt: Int
}

/// What `transact` returns: the body's value and the client's leases as stored afterwards.
public struct TransactResult<Value: Sendable>: Sendable {
    public var value: Value
    public var leases: [Lease]
}

extension LeaseStore {
    /// Runs read–modify–write on one client with bounded retries that follow the error kinds:
    /// transport → retry the same call after a backoff; conflict → look up again and rerun the
    /// body; address in use → add it to `unavailable` and rerun the body. Anything else, or
    /// running out of attempts, throws the last error.
    ///
    /// The body runs in the caller's isolation, so an actor may use its own state in it.
    public func transact<Value: Sendable>(
        _ client: ClientID, writer: String, policy: RetryPolicy = .default,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (inout LeaseTransaction) async throws -> Value
    ) async throws -> TransactResult<Value> {
        var unavailable = Set<LeaseResource>()
        var lastError = LeaseStoreError.conflict("no attempt made")
        for attempt in 1...max(1, policy.maxAttempts) {
            let lookup = try await retryingTransport(policy) { () async throws(LeaseStoreError) in try await self.lookup(client) }
            var transaction = LeaseTransaction(
                client: client, current: lookup.leases, leases: lookup.leases, unavailable: unavailable, attempt: attempt)
            let value: Value
            do {
                value = try await body(&transaction)
            } catch {
                await releaseToken(lookup.token)
                throw error
            }
            let unchanged = transaction.leases.count == lookup.leases.count
                && zip(transaction.leases, lookup.leases).allSatisfy { $0.hasSameContent(as: $1) }
            if unchanged {
                await releaseToken(lookup.token)
                return TransactResult(value: value, leases: lookup.leases)
            }
            do {
                let stored = try await retryingTransport(policy) { () async throws(LeaseStoreError) in
                    try await self.update(client, leases: transaction.leases, token: lookup.token, writer: writer)
                }
                return TransactResult(value: value, leases: stored)
            } catch let error as LeaseStoreError {
                switch error.kind {
                case .conflict:
                    lastError = error
                case .addressInUse(let resource):
                    unavailable.insert(resource)
                    lastError = error
                default:
                    await releaseToken(lookup.token)
                    throw error
                }
            } catch {
                await releaseToken(lookup.token)
                throw error
            }
        }
        throw lastError
    }

    private func retryingTransport<T>(
        _ policy: RetryPolicy, _ call: () async throws(LeaseStoreError) -> T
    ) async throws -> T {
        var retry = 0
        while true {
            let result: Result<T, LeaseStoreError>
            do {
                result = .success(try await call())
            } catch {
                result = .failure(error)
            }
            switch result {
            case .success(let value):
                return value
            case .failure(let error):
                guard error.kind == .transport, retry < policy.maxTransportRetries else { throw error }
                try await Task.sleep(for: policy.backoff(retry))
                retry += 1
            }
        }
    }
}
