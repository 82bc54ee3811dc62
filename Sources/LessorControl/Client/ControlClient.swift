public import NIOCore
public import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Why talking to the control socket failed (as opposed to an error the server answered).
public struct ControlClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// No socket file, or nobody listening on it.
        case noServer
        /// The socket file's mode or group does not let this user connect.
        case permissionDenied
        /// The connection closed or failed.
        case connection
        /// The server answered something that is not a response.
        case protocolViolation
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Equal when the codes are, so tests can compare errors.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
}

/// A connection to a control socket. Requests may be sent from several tasks at once: each gets
/// a fresh id and its own response. Close it with `close()`.
public final class ControlClient: Sendable {
    /// Longest response line accepted (a snapshot of a large network is one long line).
    public static let maxResponseBytes = 1 << 30

    public let path: String
    private let channel: any Channel
    private let router: ResponseRouter
    private let nextID = Atomic<Int>(1)

    private init(path: String, channel: any Channel, router: ResponseRouter) {
        self.path = path
        self.channel = channel
        self.router = router
    }

    /// Connects to the socket at `path`, with errors that say what to check.
    public static func connect(
        path: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> ControlClient {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == EACCES {
                throw ControlClientError(.permissionDenied, "permission denied reaching \(path): a directory on the way is not searchable")
            }
            throw ControlClientError(.noServer, "is lessor serve running? no socket at \(path)")
        }
        let router = ResponseRouter()
        do {
            let channel = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            ByteToMessageHandler(ControlLineDecoder(maxLength: maxResponseBytes)),
                            ClientHandler(router: router))
                    }
                }
                .connect(unixDomainSocketPath: path).get()
            return ControlClient(path: path, channel: channel, router: router)
        } catch let error as IOError where error.errnoCode == EACCES || error.errnoCode == EPERM {
            throw ControlClientError(
                .permissionDenied,
                "permission denied on \(path): this user may not connect (the socket's mode and group are set by control.mode and control.group)")
        } catch let error as IOError where error.errnoCode == ECONNREFUSED || error.errnoCode == ENOENT {
            throw ControlClientError(.noServer, "is lessor serve running? nobody is listening on \(path)")
        } catch {
            throw ControlClientError(.connection, "cannot connect to \(path): \(error)")
        }
    }

    /// Sends `request` (under a fresh id) and waits for its response. An error the server
    /// answered (`forbidden`, `conflict`, …) is a response with `ok == false`, not a throw.
    public func request(_ request: ControlRequest) async throws -> ControlResponse {
        var request = request
        request.id = nextID.add(1, ordering: .relaxed).oldValue
        let line = try request.encodedLine()
        let id = request.id
        return try await withCheckedThrowingContinuation { continuation in
            guard router.expect(id, .reply(continuation)) else { return }
            channel.writeAndFlush(ByteBuffer(bytes: line)).whenFailure { [router] error in
                router.fail(id, ControlClientError(.connection, "cannot send to \(self.path): \(error)"))
            }
        }
    }

    /// Subscribes: a `snapshot` event, then `change` events as leases change, and `resync` (a
    /// fresh snapshot) when this client fell behind. The stream throws `ControlError` when the
    /// server refuses, `ControlClientError` when the connection ends.
    public func subscribe() -> AsyncThrowingStream<ControlResponse, any Error> {
        let (stream, continuation) = AsyncThrowingStream<ControlResponse, any Error>.makeStream()
        let request = ControlRequest(id: nextID.add(1, ordering: .relaxed).oldValue, command: .subscribe)
        let id = request.id
        guard router.expect(id, .stream(continuation)) else { return stream }
        // A consumer that stops iterating stops being routed to (the server streams on until the
        // connection closes).
        continuation.onTermination = { [router] _ in router.fail(id, CancellationError()) }
        do {
            channel.writeAndFlush(ByteBuffer(bytes: try request.encodedLine())).whenFailure { [router, path] error in
                router.fail(id, ControlClientError(.connection, "cannot send to \(path): \(error)"))
            }
        } catch {
            router.fail(id, error)
        }
        return stream
    }

    public func close() async {
        try? await channel.close()
    }
}

/// Hands each response to whoever waits for its id.
final class ResponseRouter: Sendable {
    enum Waiter: Sendable {
        case reply(CheckedContinuation<ControlResponse, any Error>)
        case stream(AsyncThrowingStream<ControlResponse, any Error>.Continuation)
    }

    private let state = Mutex<(waiters: [Int: Waiter], ended: (any Error)?)>(([:], nil))

    /// Registers a waiter; false (and the waiter failed) when the connection already ended.
    func expect(_ id: Int, _ waiter: Waiter) -> Bool {
        let ended: (any Error)? = state.withLock { state in
            if let ended = state.ended { return ended }
            state.waiters[id] = waiter
            return nil
        }
        guard let ended else { return true }
        Self.fail(waiter, ended)
        return false
    }

    func deliver(_ response: ControlResponse) {
        if response.id == 0, !response.ok {
            // Not tied to a request (the server could not read one): everyone waiting learns of it.
            finish(response.error ?? ControlError(.badRequest, "the server refused a request"))
            return
        }
        let waiter: Waiter? = state.withLock { state in
            guard let waiter = state.waiters[response.id] else { return nil }
            if case .reply = waiter { state.waiters[response.id] = nil }
            if case .stream = waiter, !response.ok { state.waiters[response.id] = nil }
            return waiter
        }
        switch waiter {
        case .reply(let continuation): continuation.resume(returning: response)
        case .stream(let continuation):
            if let error = response.error, !response.ok {
                continuation.finish(throwing: error)
            } else {
                continuation.yield(response)
            }
        case nil: break
        }
    }

    func fail(_ id: Int, _ error: any Error) {
        if let waiter = state.withLock({ $0.waiters.removeValue(forKey: id) }) { Self.fail(waiter, error) }
    }

    /// The connection ended: every waiter, now and later, gets `error`.
    func finish(_ error: any Error) {
        let waiters = state.withLock { state in
            if state.ended == nil { state.ended = error }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { Self.fail(waiter, error) }
    }

    private static func fail(_ waiter: Waiter, _ error: any Error) {
        switch waiter {
        case .reply(let continuation): continuation.resume(throwing: error)
        case .stream(let continuation): continuation.finish(throwing: error)
        }
    }
}

/// Decodes response lines for the router; the connection's end fails what still waits.
private final class ClientHandler: ChannelInboundHandler {
    typealias InboundIn = ControlLine

    let router: ResponseRouter

    init(router: ResponseRouter) { self.router = router }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .line(let bytes):
            do {
                router.deliver(try ControlCoding.decode(ControlResponse.self, from: bytes.readableBytesView))
            } catch {
                router.finish(ControlClientError(.protocolViolation, "the server sent something that is not a response: \(error)"))
                context.close(promise: nil)
            }
        case .overlong:
            router.finish(ControlClientError(.protocolViolation, "a response longer than \(ControlClient.maxResponseBytes) bytes"))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        router.finish(ControlClientError(.connection, "the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        router.finish(ControlClientError(.connection, "connection failed: \(error)"))
        context.close(promise: nil)
    }
}
