import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// A child channel that speaks TLS with the context the access control holds when the connection
/// arrives, so a renewed certificate or client CA serves the next connection without a restart.
public struct ReloadingTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    public typealias Value = Base.Value
    let base: Base
    let access: AccessControl

    public init(_ base: Base, access: AccessControl) {
        self.base = base
        self.access = access
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard let tls = access.tlsSetup else {
            return channel.eventLoop.makeFailedFuture(TLSNotConfigured())
        }
        return channel.eventLoop.makeCompletedFuture {
            let handler = tls.acceptAnyClientCertificate
                ? NIOSSLServerHandler(context: tls.context, customVerificationCallback: { _, promise in promise.succeed(.certificateVerified) },
                                      configuration: .init())
                : NIOSSLServerHandler(context: tls.context, configuration: .init())
            try channel.pipeline.syncOperations.addHandler(handler)
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }

    struct TLSNotConfigured: Error {}
}

extension ReloadingTLSChannel: HTTPChannelHandler where Base: HTTPChannelHandler {
    public var responder: HTTPChannelHandler.Responder { base.responder }
}

extension HTTPServerBuilder {
    /// HTTP/1.1, over TLS when the web configuration asks for it.
    public static func http1(configuration: HTTP1Channel.Configuration, access: AccessControl) -> HTTPServerBuilder {
        guard access.servesTLS else { return .http1(configuration: configuration) }
        return HTTPServerBuilder { responder in
            ReloadingTLSChannel(HTTP1Channel(responder: responder, configuration: configuration), access: access)
        }
    }
}
