import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOTLS
import Synchronization

#if TLS
    import NIOSSL
#endif

/// An answer read whole: its status, whether its connection may carry another request, and its
/// body (empty when a body sink took it).
struct HTTPAnswer: Sendable {
    let status: Int
    let keepAlive: Bool
    let body: [UInt8]
}

/// The body of a request.
enum RequestBody: Sendable {
    /// Bytes in memory: the request can be sent again on another connection.
    case bytes([UInt8])
    /// The rest of `file`, read and sent 1 MiB at a time; `progress` is told the bytes sent so
    /// far after each.
    case file(FileHandle, progress: @Sendable (Int) -> Void)
}

/// Why an exchange on a connection failed, besides the errors of the network and TLS underneath.
enum ExchangeFailure: Error, Sendable {
    /// The connection closed before the whole answer came; `answered` when part of it had.
    case closed(answered: Bool)
    /// No whole answer before the request's deadline.
    case timedOut
    /// The answer's body is longer than the caller accepts.
    case tooLarge(limit: Int)
    /// The body sink could not take a chunk (a full disk, say).
    case sinkFailed(any Error)
    /// The request body's file could not be read.
    case bodyUnreadable(any Error)
    /// An `https` server, and this build has no TLS.
    case noTLS
    /// The TLS handshake did not finish within the connection's time.
    case handshakeTimedOut
}

/// The HTTP/1.1 connections to one server (`host`, `port`, with or without TLS), kept open
/// between requests: a watcher's heartbeats reuse one connection instead of opening one each.
///
/// Built on SwiftNIO's HTTP/1.1 codec, which the server uses too; TLS (SwiftNIO SSL, with its own
/// BoringSSL) comes with the package trait `TLS`, on by default.
final class HTTPConnectionPool: Sendable {
    let host: String
    let port: Int
    private let tls: TLSSettings?
    private let idle = Mutex<[any Channel]>([])

    /// The most connections kept open while idle.
    static let maximumIdle = 8
    /// How long a new connection may take, its TLS handshake included.
    static let connectTimeout = TimeAmount.seconds(5)

    /// - Parameters:
    ///   - https: Speak TLS, trusting the system's certificate authorities, or those in the PEM
    ///     file `caFile` when it is given.
    init(host: String, port: Int, https: Bool, caFile: String?) {
        self.host = host
        self.port = port
        tls = https ? TLSSettings(caFile: caFile) : nil
    }

    /// Sends `head` and `body` and waits for the whole answer, at most `timeout`. The body of a
    /// successful answer (status < 400) goes to `sink` when there is one; any other body is kept
    /// up to `limit` bytes.
    ///
    /// A request in memory that met an idle connection the server had closed meanwhile (before
    /// any answer) is sent once more on a new connection: the server never took it.
    func exchange(
        _ head: HTTPRequestHead, body: RequestBody?, timeout: TimeAmount, limit: Int,
        sink: (@Sendable (ByteBuffer) throws -> Void)? = nil
    ) async throws -> HTTPAnswer {
        var replayable = true
        if case .file = body { replayable = false }
        while true {
            let (channel, reused) = try await connection()
            do {
                let answer = try await exchange(
                    head, body: body, on: channel, timeout: timeout, limit: limit, sink: sink)
                if answer.keepAlive { release(channel) } else { channel.close(promise: nil) }
                return answer
            } catch ExchangeFailure.closed(answered: false) where reused && replayable {
                continue
            } catch {
                channel.close(promise: nil)
                throw error
            }
        }
    }

    private func exchange(
        _ head: HTTPRequestHead, body: RequestBody?, on channel: any Channel, timeout: TimeAmount, limit: Int,
        sink: (@Sendable (ByteBuffer) throws -> Void)?
    ) async throws -> HTTPAnswer {
        let promise = channel.eventLoop.makePromise(of: HTTPAnswer.self)
        let expectation = AnswerExpectation(promise: promise, timeout: timeout, limit: limit, sink: sink)
        do {
            try await channel.writeAndFlush(ExchangePart.head(head, expectation))
            switch body {
            case nil: break
            case .bytes(let bytes): try await channel.writeAndFlush(ExchangePart.body(ByteBuffer(bytes: bytes)))
            case .file(let file, let progress):
                var sent = 0
                while let chunk = try Self.read(file), !chunk.isEmpty {
                    try await channel.writeAndFlush(ExchangePart.body(ByteBuffer(bytes: chunk)))
                    sent += chunk.count
                    progress(sent)
                }
            }
            try await channel.writeAndFlush(ExchangePart.end)
        } catch let failure as ExchangeFailure {
            promise.fail(failure)
            throw failure
        } catch {
            // The connection failed while sending: the server may have answered first (a request
            // too large, say) and closed; the answer, or why there is none, is in the promise.
        }
        return try await promise.futureResult.get()
    }

    private static func read(_ file: FileHandle) throws(ExchangeFailure) -> Data? {
        do {
            return try file.read(upToCount: 1 << 20)
        } catch {
            throw .bodyUnreadable(error)
        }
    }

    /// An idle connection that is still open, or a new one.
    private func connection() async throws -> (channel: any Channel, reused: Bool) {
        while let channel = idle.withLock({ $0.popLast() }) {
            if channel.isActive { return (channel, true) }
        }
        let tlsHandler = try tls?.handlerFactory(host: host)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let handshake = tlsHandler == nil ? nil : loop.makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(Self.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tlsHandler { try pipeline.addHandler(tlsHandler()) }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(
                        ExchangeHandler(handshake: handshake, handshakeTimeout: Self.connectTimeout))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            handshake?.fail(error)
            throw error
        }
        // A TLS connection is ready once its handshake is done: its failures (an untrusted
        // certificate, a server that does not speak TLS) are the connection's, not a request's.
        if let handshake {
            do {
                try await handshake.futureResult.get()
            } catch {
                channel.close(promise: nil)
                throw error
            }
        }
        return (channel, false)
    }

    /// Keeps `channel` for the next request, or closes it when enough are kept.
    private func release(_ channel: any Channel) {
        let kept = idle.withLock { idle in
            guard idle.count < Self.maximumIdle else { return false }
            idle.append(channel)
            return true
        }
        if !kept { channel.close(promise: nil) }
    }
}

/// How connections to an `https` server are secured.
private struct TLSSettings: Sendable {
    #if TLS
        /// The context, or why it cannot be made (a certificate file that is not PEM, say).
        let context: Result<NIOSSLContext, any Error>

        init(caFile: String?) {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let caFile { configuration.trustRoots = .file(caFile) }
            context = Result { try NIOSSLContext(configuration: configuration) }
        }

        /// Makes the TLS handler of each new connection to `host`; the name goes in SNI and is
        /// checked against the certificate, an IP address is checked against it instead.
        func handlerFactory(host: String) throws -> @Sendable () throws -> any ChannelHandler {
            let context = try context.get()
            let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
            return { try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : host) }
        }
    #else
        init(caFile: String?) {}

        func handlerFactory(host: String) throws -> @Sendable () throws -> any ChannelHandler {
            throw ExchangeFailure.noTLS
        }
    #endif
}

/// What the handler needs to deliver one request's answer.
struct AnswerExpectation: Sendable {
    let promise: EventLoopPromise<HTTPAnswer>
    let timeout: TimeAmount
    let limit: Int
    let sink: (@Sendable (ByteBuffer) throws -> Void)?
}

/// What is written to a connection: a request's head (with what its answer is expected to
/// be), its body in parts, and its end.
enum ExchangePart: Sendable {
    case head(HTTPRequestHead, AnswerExpectation)
    case body(ByteBuffer)
    case end
}

/// Pairs each request on a connection with its answer: gathers the answer (or hands its body
/// to a sink), enforces the deadline and the size limit, and fails the request when the
/// connection closes or errs first.
private final class ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = ExchangePart
    typealias OutboundOut = HTTPClientRequestPart

    private var expectation: AnswerExpectation?
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []
    private var deadline: Scheduled<Void>?
    /// Until a TLS connection's handshake is over: its promise and its deadline.
    private var handshake: EventLoopPromise<Void>?
    private var handshakeDeadline: Scheduled<Void>?
    private let handshakeTimeout: TimeAmount

    init(handshake: EventLoopPromise<Void>?, handshakeTimeout: TimeAmount) {
        self.handshake = handshake
        self.handshakeTimeout = handshakeTimeout
    }

    func channelActive(context: ChannelHandlerContext) {
        if handshake != nil {
            handshakeDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: handshakeTimeout) {
                self.endHandshake(failing: ExchangeFailure.handshakeTimedOut)
                context.close(promise: nil)
            }
        }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { endHandshake(failing: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    /// Completes the handshake's promise, with `error` when it failed.
    private func endHandshake(failing error: (any Error)?) {
        guard let handshake else { return }
        self.handshake = nil
        handshakeDeadline?.cancel()
        handshakeDeadline = nil
        if let error { handshake.fail(error) } else { handshake.succeed() }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let request, let expectation):
            self.expectation = expectation
            head = nil
            body = []
            guard context.channel.isActive else {
                fail(ExchangeFailure.closed(answered: false), context: context)
                promise?.fail(ChannelError.ioOnClosedChannel)
                return
            }
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: expectation.timeout) {
                self.fail(ExchangeFailure.timedOut, context: context)
            }
            context.write(wrapOutboundOut(.head(request)), promise: promise)
        case .body(let buffer): context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: promise)
        case .end: context.write(wrapOutboundOut(.end(nil)), promise: promise)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let expectation else {
            // An answer to no request: the connection cannot be trusted any more.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let answer):
            // An informational answer (1xx) comes before the real one and is skipped.
            if answer.status.code >= 200 { head = answer }
        case .body(let buffer):
            guard let head else { return }
            if let sink = expectation.sink, head.status.code < 400 {
                do {
                    try sink(buffer)
                } catch {
                    fail(ExchangeFailure.sinkFailed(error), context: context)
                }
            } else if body.count + buffer.readableBytes > expectation.limit {
                fail(ExchangeFailure.tooLarge(limit: expectation.limit), context: context)
            } else {
                body.append(contentsOf: buffer.readableBytesView)
            }
        case .end:
            guard let head else { return }
            deadline?.cancel()
            self.expectation = nil
            self.head = nil
            let answer = HTTPAnswer(status: Int(head.status.code), keepAlive: head.isKeepAlive, body: body)
            body = []
            expectation.promise.succeed(answer)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        endHandshake(failing: ExchangeFailure.closed(answered: false))
        fail(ExchangeFailure.closed(answered: head != nil), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        endHandshake(failing: error)
        fail(error, context: context)
    }

    /// Fails the request in flight, if any, and closes the connection.
    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if let expectation {
            self.expectation = nil
            expectation.promise.fail(error)
        }
        context.close(promise: nil)
    }
}
