import Foundation
public import LeaseStore
public import Logging
public import NIOCore
public import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where the control socket is and who may use it (the configuration's `control:` section).
public struct ControlServerConfiguration: Sendable, Equatable {
    public static let defaultSocketPath = "/run/lessor/control.sock"

    public var socketPath: String
    /// The socket file's permission bits.
    public var mode: UInt32
    /// The socket file's group (name or gid); nil keeps the server's.
    public var group: String?
    public var watch: ControlAccessList
    public var manage: ControlAccessList
    /// Changes queued per subscriber before it is considered behind and resynced.
    public var subscriberBuffer: Int
    /// How long a queued change may wait for a subscriber's socket before it is considered behind.
    public var subscriberMaxLag: Duration

    public init(
        socketPath: String = Self.defaultSocketPath, mode: UInt32 = 0o660, group: String? = nil,
        watch: ControlAccessList = ControlAccessList(), manage: ControlAccessList = ControlAccessList(),
        subscriberBuffer: Int = 1024, subscriberMaxLag: Duration = .seconds(10)
    ) {
        self.socketPath = socketPath
        self.mode = mode
        self.group = group
        self.watch = watch
        self.manage = manage
        self.subscriberBuffer = subscriberBuffer
        self.subscriberMaxLag = subscriberMaxLag
    }
}

/// Why the control server could not start, and what to do about it.
public struct ControlServerError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The control socket (DESIGN.md §5): a UNIX socket speaking JSON lines. Each connection's peer
/// is identified by SO_PEERCRED and given a `ControlPermission`; requests are answered in order;
/// `subscribe` streams a snapshot and then the live index's changes on the same connection.
///
/// `start` prepares the socket file (creates its directory, replaces a stale socket, refuses a
/// live one, sets mode and group), builds the lease index and serves on a task of its own until
/// `stop`, which closes every connection and removes the socket file.
public final class ControlServer: Sendable {
    public let configuration: ControlServerConfiguration
    /// The live lease index behind `pools` and `subscribe`.
    public let index: LeaseIndex
    private let commands: ControlCommands
    private let policy: ControlAccessPolicy
    private let logger: Logger
    private let socketInode: UInt64
    /// The listening socket; closing it ends the accept loop.
    private let listener: any Channel
    private let registry: ConnectionRegistry
    private let serving = Mutex<Task<Void, Never>?>(nil)

    private typealias Connection = NIOAsyncChannel<ControlLine, ByteBuffer>

    private init(
        configuration: ControlServerConfiguration, index: LeaseIndex, commands: ControlCommands, policy: ControlAccessPolicy,
        logger: Logger, socketInode: UInt64, listener: any Channel, registry: ConnectionRegistry
    ) {
        self.configuration = configuration
        self.index = index
        self.commands = commands
        self.policy = policy
        self.logger = logger
        self.socketInode = socketInode
        self.listener = listener
        self.registry = registry
    }

    public static func start(
        _ configuration: ControlServerConfiguration, store: any LeaseStore, backend: any ControlBackend,
        clock: any LeaseClock = SystemLeaseClock(), logger: Logger = Logger(label: "lessor.control"),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> ControlServer {
        let policy = ControlAccessPolicy(watch: configuration.watch, manage: configuration.manage)
        if !policy.unknownNames.isEmpty {
            logger.warning(
                "control socket: unknown \(policy.unknownNames.joined(separator: ", ")) in control.watch/manage: they match nobody")
        }
        let path = configuration.socketPath
        try SocketFile.prepare(path)
        let index = LeaseIndex(store: store)
        do {
            try await index.start()
        } catch {
            throw ControlServerError("control socket: cannot read the lease store: \(error)")
        }
        let registry = ConnectionRegistry()
        let channel: NIOAsyncChannel<Connection, Never>
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .bind(unixDomainSocketPath: path) { child in
                    child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(ControlLineDecoder(maxLength: ControlProtocol.maxLineBytes)))
                        let connection = try Connection(wrappingChannelSynchronously: child)
                        if !registry.adopt(connection) { child.close(promise: nil) }
                        return connection
                    }
                }
        } catch {
            index.stop()
            throw ControlServerError("control socket: cannot listen on \(path): \(error)")
        }
        let inode: UInt64
        do {
            inode = try SocketFile.secure(path, mode: configuration.mode, group: configuration.group)
        } catch {
            try? await channel.executeThenClose { _ in }
            SocketFile.remove(path, inode: nil)
            index.stop()
            throw error
        }
        let commands = ControlCommands(store: store, index: index, backend: backend, clock: clock)
        let server = ControlServer(
            configuration: configuration, index: index, commands: commands, policy: policy, logger: logger, socketInode: inode,
            listener: channel.channel, registry: registry)
        server.serving.withLock { $0 = Task { await server.serve(channel) } }
        logger.info(
            "control socket listening",
            metadata: ["control.socket": "\(path)", "control.mode": "\(String(configuration.mode, radix: 8))"])
        return server
    }

    /// Closes the socket and every connection, and removes the socket file.
    public func stop() async {
        let task = serving.withLock { task in
            defer { task = nil }
            return task
        }
        guard let task else { return }
        // Closing the listener (rather than cancelling the task) lets the accept loop take every
        // connection already accepted, so each is closed properly; then it ends them all.
        try? await listener.close()
        index.stop()
        await task.value
        for connection in registry.stop() { try? await connection.executeThenClose { _, _ in } }
        SocketFile.remove(configuration.socketPath, inode: socketInode)
    }

    // MARK: Connections

    private func serve(_ channel: NIOAsyncChannel<Connection, Never>) async {
        do {
            try await channel.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask { await self.handle(connection) }
                    }
                    group.cancelAll()  // the listener closed: end every connection
                }
            }
        } catch is CancellationError {
        } catch {
            if !Task.isCancelled { logger.error("control socket stopped: \(error)") }
        }
    }

    private func handle(_ connection: Connection) async {
        defer { registry.release(connection) }
        let peer = await Self.peerCredentials(connection.channel)
        let permission = peer.map(policy.permission(for:)) ?? .none
        do {
            try await connection.executeThenClose { inbound, outbound in
                try await withThrowingDiscardingTaskGroup { streams in
                    defer { streams.cancelAll() }
                    for try await line in inbound {
                        switch try await self.answer(line, peer: peer, permission: permission, outbound: outbound) {
                        case .answered: continue
                        case .subscribe(let id): streams.addTask { try await self.stream(id, to: outbound) }
                        case .close: return
                        }
                    }
                }
            }
        } catch {
            logger.debug("control connection ended: \(error)", metadata: ["control.peer": "\(peer?.uid ?? UInt32.max)"])
        }
    }

    /// What the connection does after one line.
    private enum Outcome {
        case answered
        /// A valid, permitted `subscribe`: the caller streams under this id.
        case subscribe(id: Int)
        case close
    }

    /// Answers one line (a `subscribe` is left to the caller, to stream).
    private func answer(
        _ line: ControlLine, peer: PeerCredentials?, permission: ControlPermission,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws -> Outcome {
        guard case .line(let bytes) = line else {
            try await send(.failure(id: 0, ControlError(
                .badRequest, "request line longer than \(ControlProtocol.maxLineBytes) bytes; closing the connection")), outbound)
            return .close
        }
        let request: ControlRequest
        do {
            request = try ControlCoding.decode(ControlRequest.self, from: bytes.readableBytesView)
        } catch {
            let id = (try? ControlCoding.decode(RequestID.self, from: bytes.readableBytesView))?.id ?? 0
            guard permission != .none else { return try await refuse(id: id, peer: peer, command: nil, outbound) }
            try await send(.failure(id: id, ControlError(.badRequest, "not a request: \(Self.describe(error))")), outbound)
            return .answered
        }
        guard permission.allows(request.command) else {
            return try await refuse(id: request.id, peer: peer, command: request.command, permission: permission, outbound)
        }
        if let version = request.version, version != ControlProtocol.version {
            try await send(.failure(id: request.id, ControlError(
                .badRequest, "protocol version \(version) is not supported; this server speaks \(ControlProtocol.version)")),
                outbound)
            return .answered
        }
        if request.command == .subscribe { return .subscribe(id: request.id) }
        try await send(await commands.respond(to: request), outbound)
        return .answered
    }

    /// A peer with no permission at all is answered once and disconnected; a watcher asking to
    /// change a lease is only refused.
    private func refuse(
        id: Int, peer: PeerCredentials?, command: ControlCommand?, permission: ControlPermission = .none,
        _ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws -> Outcome {
        let error =
            peer.map { policy.refusal($0, permission: permission, command: command ?? .status) }
            ?? ControlError(.forbidden, "the peer's credentials could not be read (SO_PEERCRED)")
        logger.notice("control request refused: \(error.message)")
        try await send(.failure(id: id, error), outbound)
        return permission == .none ? .close : .answered
    }

    /// `subscribe`: the snapshot, then the changes as the index applies them, and a resync
    /// (fresh snapshot) whenever this subscriber fell behind.
    private func stream(_ id: Int, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
        let status = await commands.status()
        let pools = await commands.pools()
        let (mailbox, snapshot) = index.subscribe(
            capacity: configuration.subscriberBuffer, maxLag: configuration.subscriberMaxLag)
        defer { index.unsubscribe(mailbox) }
        try await send(ControlResponse(id: id, event: .snapshot, status: status, pools: pools, leases: snapshot), outbound)
        while let delivery = await mailbox.take() {
            switch delivery {
            case .changes(let changes):
                var buffer = ByteBuffer()
                for change in changes {
                    buffer.writeBytes(try ControlResponse(id: id, event: .change, change: change).encodedLine())
                }
                try await outbound.write(buffer)
            case .resync:
                logger.notice("control subscriber fell behind: sending a fresh snapshot")
                let status = await commands.status()
                let pools = await commands.pools()
                let leases = index.resync(mailbox)
                try await send(ControlResponse(id: id, event: .resync, status: status, pools: pools, leases: leases), outbound)
            }
        }
    }

    private func send(_ response: ControlResponse, _ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
        try await outbound.write(ByteBuffer(bytes: try response.encodedLine()))
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): context.debugDescription
        case DecodingError.keyNotFound(let key, _): "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "\(error)"
        }
    }

    private static func peerCredentials(_ channel: any Channel) async -> PeerCredentials? {
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        let future: EventLoopFuture<PeerCredentialsOption> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        guard let credentials = try? await future.get() else { return nil }
        return PeerCredentials(uid: credentials.uid, gid: credentials.gid, pid: credentials.pid)
    }
}

/// `struct ucred` as SO_PEERCRED fills it (Glibc's module does not export the type).
private struct PeerCredentialsOption: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// Accepted connections not yet finished. NIO requires each `NIOAsyncChannel` to be finished
/// (`executeThenClose`) before it is released, and one accepted while the server stops would be
/// dropped by the ended accept loop unfinished (a crash). The registry holds every connection
/// until its handler is done; `stop` hands back the ones no handler took, and keeps (closed)
/// any accepted after it.
final class ConnectionRegistry: Sendable {
    private typealias Connection = NIOAsyncChannel<ControlLine, ByteBuffer>
    private let state = Mutex<(open: [ObjectIdentifier: Connection], stopped: Bool)>(([:], false))

    /// Holds `connection`; false when the server has stopped (the caller closes its channel).
    func adopt(_ connection: NIOAsyncChannel<ControlLine, ByteBuffer>) -> Bool {
        state.withLock { state in
            state.open[ObjectIdentifier(connection.channel)] = connection
            return !state.stopped
        }
    }

    func release(_ connection: NIOAsyncChannel<ControlLine, ByteBuffer>) {
        state.withLock { state in
            if !state.stopped { state.open[ObjectIdentifier(connection.channel)] = nil }
        }
    }

    /// The connections no handler finished; from now on connections are only kept.
    func stop() -> [NIOAsyncChannel<ControlLine, ByteBuffer>] {
        state.withLock { state in
            state.stopped = true
            defer { state.open.removeAll() }
            return Array(state.open.values)
        }
    }
}

/// The id of a request that did not decode as a whole, to answer it under its id.
private struct RequestID: Decodable {
    var id: Int
}

/// The socket file's life: its directory, stale files, permissions, removal.
enum SocketFile {
    static func prepare(_ path: String) throws {
        guard path.hasPrefix("/"), path.utf8.count < 108 else {
            throw ControlServerError("control.socket: '\(path)' must be an absolute path shorter than 108 bytes")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            } catch {
                throw ControlServerError(
                    "control socket: cannot create \(directory): \(error.localizedDescription); "
                        + "create it, or set control.socket elsewhere (or control.enabled: false)")
            }
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ControlServerError("control socket: \(path) exists and is not a socket; remove it or set control.socket elsewhere")
        }
        if isListening(path) {
            throw ControlServerError(
                "control socket: another server is listening on \(path); stop it or give this one another control.socket")
        }
        unlink(path)
    }

    /// Sets mode and group; returns the file's inode so `remove` deletes only this socket.
    static func secure(_ path: String, mode: UInt32, group: String?) throws -> UInt64 {
        guard chmod(path, mode_t(mode)) == 0 else {
            throw ControlServerError("control socket: chmod \(String(mode, radix: 8)) \(path): \(String(cString: strerror(errno)))")
        }
        if let group {
            guard let gid = UserDatabase.gid(named: group) else {
                throw ControlServerError("control.group: no group named '\(group)' on this machine")
            }
            guard chown(path, uid_t.max, gid) == 0 else {
                throw ControlServerError("control socket: chgrp \(group) \(path): \(String(cString: strerror(errno)))")
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return UInt64(info.st_ino)
    }

    static func remove(_ path: String, inode: UInt64?) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK else { return }
        if let inode, UInt64(info.st_ino) != inode { return }
        unlink(path)
    }

    /// Whether a server accepts connections on the socket at `path`.
    static func isListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard var address = unixAddress(path) else { return false }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }

    static func unixAddress(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (offset, byte) in bytes.enumerated() { raw[offset] = byte }
        }
        return address
    }
}
