import AWCore
import Foundation

/// Where a client connects and how it batches, from `aw-client.toml` (shared with the Python
/// aw-client): `[server]` `hostname`, `port` (a string or a number) and `api_key` (for a server
/// on another machine), `protocol` (`https` for a server behind a TLS proxy) and `ca_file`,
/// `[client]` `commit_interval`, and the `-testing` sections in testing mode.
public struct ClientConfiguration: Sendable, Hashable {
    /// The server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// Whether to speak HTTPS (to a TLS reverse proxy in front of the server).
    public var https = false
    /// A PEM file of the certificate authorities to trust for HTTPS instead of the system's.
    public var caFile: String?
    /// Seconds a queued heartbeat may be merged in memory before it is sent (10; 5 in testing).
    public var commitInterval: Double
    /// The API key to send as `Authorization: Bearer`, if any.
    public var apiKey: String?

    /// The defaults (127.0.0.1, port 5600 or 5666 when testing, commit interval 10 or 5 s) with
    /// the given values instead.
    public init(
        testing: Bool = false, host: String = "127.0.0.1", port: Int? = nil, commitInterval: Double? = nil,
        apiKey: String? = nil
    ) {
        self.host = host
        self.port = port ?? (testing ? 5666 : 5600)
        self.commitInterval = commitInterval ?? (testing ? 5 : 10)
        self.apiKey = apiKey
    }

    /// The settings for `testing` mode: `aw-client.toml` if present, else the defaults, with `host`
    /// and `port` (from a command line) taking precedence. The API key is `[server] api_key`, or
    /// else read from the local server's config when the host is this machine and the port matches
    /// (`serverConfig`, when given, is that config: a module the server starts is told it).
    ///
    /// - Throws: `ConfigError` when `aw-client.toml` is malformed.
    public static func load(
        testing: Bool, host: String? = nil, port: Int? = nil, https: Bool? = nil, serverConfig: String? = nil,
        directories: Directories = Directories()
    ) throws(ConfigError) -> ClientConfiguration {
        var configuration = ClientConfiguration(testing: testing)
        var configuredKey: String?
        let path = "\(directories.configDirectory(module: "aw-client"))/aw-client.toml"
        if FileManager.default.fileExists(atPath: path) {
            let file = try ConfigFile.load(path: path, defaultContents: "")
            let suffix = testing ? "-testing" : ""
            let server = try file.section("server\(suffix)")
            configuration.host = try server.string("hostname") ?? configuration.host
            if let port = try server.port("port") { configuration.port = port }
            if let key = try server.string("api_key"), !key.isEmpty { configuredKey = key }
            switch try server.string("protocol") {
            case nil, "http": break
            case "https": configuration.https = true
            default: throw server.error("protocol", "must be \"http\" or \"https\"")
            }
            if let caFile = try server.string("ca_file") {
                guard FileManager.default.isReadableFile(atPath: caFile) else {
                    throw server.error("ca_file", "'\(caFile)' is not a file that can be read")
                }
                configuration.caFile = caFile
            }
            configuration.commitInterval =
                try file.section("client\(suffix)").double("commit_interval") ?? configuration.commitInterval
        }
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let https { configuration.https = https }
        configuration.apiKey =
            configuredKey ?? serverConfig.flatMap(apiKey(inServerConfig:))
            ?? localServerAPIKey(
                host: configuration.host, port: configuration.port, testing: testing, directories: directories)
        return configuration
    }

    /// `[auth] api_key` of a server's config file, if it has one.
    static func apiKey(inServerConfig path: String) -> String? {
        guard FileManager.default.fileExists(atPath: path),
            let file = try? ConfigFile.load(path: path, defaultContents: ""),
            let key = (try? file.section("auth").string("api_key")) ?? nil, !key.isEmpty
        else { return nil }
        return key
    }

    /// The API key of a server on this machine listening on `port`: from aw-server-swift's or
    /// aw-server-rust's config (`[auth] api_key`), as the Python client reads it.
    static func localServerAPIKey(host: String, port: Int, testing: Bool, directories: Directories) -> String? {
        guard ["127.0.0.1", "localhost", "::1"].contains(host) else { return nil }
        for module in ["aw-server-swift", "aw-server-rust"] {
            let path =
                "\(directories.configDirectory(module: module))/\(testing ? "config-testing.toml" : "config.toml")"
            guard FileManager.default.fileExists(atPath: path),
                let file = try? ConfigFile.load(path: path, defaultContents: "")
            else { continue }
            let serverPort = (try? file.section().port("port")) ?? nil
            guard (serverPort ?? (testing ? 5666 : 5600)) == port else { continue }
            if let key = (try? file.section("auth").string("api_key")) ?? nil, !key.isEmpty { return key }
        }
        return nil
    }
}

extension ConfigSection {
    /// A port given as a number or a string (aw-client.toml writes `port = "5600"`).
    func port(_ key: String) throws(ConfigError) -> Int? {
        let value: Int?
        if let text = try? string(key) { value = Int(text) ?? -1 } else { value = try int(key) }
        guard let value else { return nil }
        guard (1...65535).contains(value) else { throw error(key, "must be a port number (1-65535)") }
        return value
    }
}
