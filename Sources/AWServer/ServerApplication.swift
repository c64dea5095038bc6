import AWCore
import AWDatastore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// Builds the HTTP application for a `ServerAPI`.
public enum ServerApplication {
    /// The application serving `/api/0/...` on the configured address and port.
    ///
    /// - Parameters:
    ///   - api: The API to serve.
    ///   - configuration: Address, port and security settings.
    ///   - logger: Where to log.
    ///   - onListening: Called with the bound port once the server accepts connections.
    public static func make(
        api: ServerAPI,
        configuration: ServerConfiguration,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        APIApplication(
            responder: APIResponder(api: api, configuration: configuration, logger: logger),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.address, port: configuration.port),
                serverName: nil
            ),
            logger: logger,
            onListening: { channel in await onListening(channel.localAddress?.port ?? configuration.port) }
        )
    }
}

/// Hummingbird's HTTP/1 server with the API responder, run without the one-second timer that
/// Hummingbird's `Application` keeps for its `Date` header cache: an idle server does not wake
/// up at all. The header is formatted when a response needs it, at most once a second.
struct APIApplication: ApplicationProtocol {
    let responder: APIResponder
    let configuration: ApplicationConfiguration
    let logger: Logger
    let onListening: @Sendable (any Channel) async -> Void

    func onServerRunning(_ channel: any Channel) async {
        await onListening(channel)
    }

    /// Serves until cancelled or gracefully shut down.
    func run() async throws {
        let responder = self.responder
        let logger = self.logger
        let dateHeader = HTTPDateHeader()
        let server = try self.server.buildServer(
            configuration: HummingbirdCore.ServerConfiguration(
                address: configuration.address, serverName: configuration.serverName, backlog: configuration.backlog,
                reuseAddress: configuration.reuseAddress),
            eventLoopGroup: eventLoopGroup, logger: logger
        ) { (request, responseWriter: consuming ResponseWriter, channel) in
            let context = BasicRequestContext(source: .init(channel: channel, logger: logger))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch let error as HTTPParserError {
                throw error  // the connection answers 400 and closes
            } catch {
                logger.error("\(request.method) \(request.uri.path) failed: \(error)")
                response = APIError(wrapping: error).response
            }
            response.headers[.date] = dateHeader.now()
            do {
                try await responseWriter.write(response: response.head, body: response.body)
            } catch is HTTPParserError {
                // Part of the response is out: close the connection without another answer.
                throw ResponseAbandoned()
            }
        } onServerRunning: {
            await self.onServerRunning($0)
        }
        try await server.run()
    }

    /// A response could not be finished; the connection is closed.
    struct ResponseAbandoned: Error {}
}

/// The `Date` response header (RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`),
/// formatted at most once per second.
final class HTTPDateHeader: Sendable {
    private let cache = Mutex<(second: Int, text: String)>((-1, ""))

    /// The header for the current second.
    func now() -> String {
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        let second = clock.tv_sec
        if let cached = cache.withLock({ $0.second == second ? $0.text : nil }) { return cached }
        let text = Self.format(secondsSince1970: second)
        cache.withLock { $0 = (second, text) }
        return text
    }

    static func format(secondsSince1970 second: Int) -> String {
        var time = second
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
