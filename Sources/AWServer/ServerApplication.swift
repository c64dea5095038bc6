import AWCore
import AWDatastore
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Builds the HTTP application for a `ServerAPI`.
public enum ServerApplication {
    /// The Hummingbird application serving `/api/0/...` on the configured address and port.
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
        Application(
            responder: APIResponder(api: api, configuration: configuration, logger: logger),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.address, port: configuration.port),
                serverName: nil
            ),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? configuration.port)
            },
            logger: logger
        )
    }
}
