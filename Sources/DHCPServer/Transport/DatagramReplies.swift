import Logging
import NIOCore

/// Writes one reply datagram without awaiting it: waiting for the write to complete would
/// cost another thread hop per request; the outcome is counted (`sent`, `sendFailures`) when
/// NIO reports it. Shared by the DHCPv4 and DHCPv6 transports.
func sendDatagram(
    _ bytes: [UInt8], to target: SocketAddress, on channel: any Channel, counters: ServerCounters, logger: Logger,
    destination: @autoclosure @escaping @Sendable () -> String
) {
    let promise = channel.eventLoop.makePromise(of: Void.self)
    promise.futureResult.whenComplete { result in
        switch result {
        case .success: counters.bump(.sent)
        case .failure(let error): replyNotSent(error, counters: counters, logger: logger, destination: destination())
        }
    }
    channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: ByteBuffer(bytes: bytes)), promise: promise)
}

/// Counts and logs a reply that could not be sent (no address for it, or the write failed).
func replyNotSent(_ error: any Error, counters: ServerCounters, logger: Logger, destination: String) {
    counters.bump(.sendFailures)
    logger.warning("could not send reply", metadata: ["error": "\(error)", "destination": "\(destination)"])
}
