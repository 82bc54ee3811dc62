import NIOCore

/// What the line decoder passes on: one line (without its newline), or notice that a line
/// grew past the limit (everything after it is discarded; the connection should close).
enum ControlLine: Sendable {
    case line(ByteBuffer)
    case overlong
}

/// Splits a byte stream at `\n` (a trailing `\r` is dropped, empty lines skipped). A line
/// longer than `maxLength` is reported once as `.overlong` and the rest of the stream ignored.
/// Remembers how far it has searched, so a long line arriving in many reads is scanned once.
struct ControlLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ControlLine

    let maxLength: Int
    private var scanned = 0
    private var overflowed = false

    init(maxLength: Int) { self.maxLength = maxLength }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if overflowed {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        let view = buffer.readableBytesView
        guard let newline = view.dropFirst(scanned).firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = view.count
            if view.count > maxLength { overflow(context: context, buffer: &buffer) }
            return .needMoreData
        }
        let length = newline - view.startIndex
        scanned = 0
        if length > maxLength {
            overflow(context: context, buffer: &buffer)
            return .needMoreData
        }
        guard var line = buffer.readSlice(length: length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
        if line.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(.line(line))) }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    private mutating func overflow(context: ChannelHandlerContext, buffer: inout ByteBuffer) {
        overflowed = true
        buffer.moveReaderIndex(to: buffer.writerIndex)
        context.fireChannelRead(wrapInboundOut(.overlong))
    }
}
