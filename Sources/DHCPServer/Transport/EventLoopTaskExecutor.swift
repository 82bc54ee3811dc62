import NIOCore

/// Runs Swift tasks on a NIO event loop's thread. A request is handled on the thread that
/// read its datagram — parse, plugins, allocator, reply — and leaves it only to wait for the
/// store's group commit, instead of hopping between the event loop and the cooperative pool
/// (a thread wake-up each way, which was most of the cost of a DORA at moderate load).
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
