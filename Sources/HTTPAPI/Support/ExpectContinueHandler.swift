import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` (curl sends it with large bodies) with `100 Continue` as soon as
/// the head is read, so the client sends its body at once instead of waiting for its own timeout.
/// A body declared larger than `maxBody` gets no 100: the route refuses it from the head alone.
public final class ExpectContinueHandler: ChannelDuplexHandler, RemovableChannelHandler, Sendable {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    let maxBody: UInt64

    public init(maxBody: UInt64) {
        self.maxBody = maxBody
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let request) = unwrapInboundIn(data),
           request.headerFields[.expect]?.lowercased() == "100-continue",
           (request.headerFields[.contentLength].flatMap { UInt64($0) } ?? 0) <= maxBody {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        context.fireChannelRead(data)
    }
}
