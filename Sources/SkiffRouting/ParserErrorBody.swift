import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Gives the framework's answer to a request it cannot parse (a request line or headers over the decoder's limits,
/// or malformed HTTP) a body in the server's error format. Hummingbird answers those with a bare 400 and closes the
/// connection; a client, and the OpenAPI document, expect every 400 to say what was wrong.
///
/// It sits between the HTTP codec and the server: it sees the decoder's error on the way in, and rewrites the 400
/// head that follows on the way out into a head and a body. Every other response passes through untouched.
public final class ParserErrorBodyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private let body: @Sendable (HTTPParserError) -> (contentType: String, bytes: [UInt8])
    private var parserError: HTTPParserError?

    /// - Parameter body: the response body for a parse error, with its media type.
    public init(body: @escaping @Sendable (HTTPParserError) -> (contentType: String, bytes: [UInt8])) {
        self.body = body
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? HTTPParserError { parserError = error }
        context.fireErrorCaught(error)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard let error = parserError, case .head(var head) = unwrapOutboundIn(data), head.status == .badRequest else {
            context.write(data, promise: promise)
            return
        }
        parserError = nil
        let (contentType, bytes) = body(error)
        head.headerFields[.contentType] = contentType
        head.headerFields[.contentLength] = String(bytes.count)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: bytes))), promise: promise)
    }
}
