import AWCore
import AWQuery

/// How the server runs: where it listens, whom it lets in, and how much it accepts.
///
/// Every field has a default that just works on a desktop; `config.toml` and command-line
/// flags override them (flags win).
public struct ServerConfiguration: Sendable, Hashable {
    /// Testing mode: port 5666, separate database and config, extra CORS origins.
    public var testing: Bool
    /// The address to bind; loopback by default.
    public var address: String
    /// The TCP port (0 picks a free one).
    public var port: Int
    /// Extra origins allowed to call the API from a browser, exactly as the browser sends them.
    public var corsOrigins: [String]
    /// Extra origin patterns (regular expressions that must match the whole origin).
    public var corsOriginPatterns: [String]
    /// When set, every `/api/` request except `/api/0/info` needs `Authorization: Bearer <key>`.
    public var apiKey: String?
    /// Further API keys, one per device (`[auth.devices]`, name = key), so that one device can be
    /// locked out by removing its line.
    public var deviceKeys: [String: String]
    /// The largest request body accepted, in bytes.
    public var requestBodyLimit: Int
    /// Also write a JSON-lines log file.
    public var jsonLogFile: Bool
    /// On the first start (no database yet), import aw-server-rust's or the Python aw-server's
    /// database when one is found.
    public var legacyImport: Bool
    /// Where the web UI at `/` comes from: the built-in dashboard or a directory.
    public var webUI: WebUISource
    /// The PostgreSQL database to keep the data in (`[storage] backend = "postgres"`, `url`), or
    /// `nil` for the SQLite file, the default.
    public var postgresURL: String?
    /// How long a query may run and how many events it may read (`query_timeout`,
    /// `query_max_events`).
    public var queryLimits: QueryLimits

    /// The port used when none is configured: 5600, or 5666 in testing mode.
    public static func defaultPort(testing: Bool) -> Int { testing ? 5666 : 5600 }

    public init(
        testing: Bool = false,
        address: String = "127.0.0.1",
        port: Int? = nil,
        corsOrigins: [String] = [],
        corsOriginPatterns: [String] = [],
        apiKey: String? = nil,
        deviceKeys: [String: String] = [:],
        requestBodyLimit: Int = 512 * 1024 * 1024,
        jsonLogFile: Bool = false,
        legacyImport: Bool = true,
        webUI: WebUISource = .builtIn,
        postgresURL: String? = nil,
        queryLimits: QueryLimits = QueryLimits()
    ) {
        self.testing = testing
        self.address = address
        self.port = port ?? Self.defaultPort(testing: testing)
        self.corsOrigins = corsOrigins
        self.corsOriginPatterns = corsOriginPatterns
        self.apiKey = apiKey
        self.deviceKeys = deviceKeys
        self.requestBodyLimit = requestBodyLimit
        self.jsonLogFile = jsonLogFile
        self.legacyImport = legacyImport
        self.webUI = webUI
        self.postgresURL = postgresURL
        self.queryLimits = queryLimits
    }

    /// Reads the settings of a config file; absent ones keep their defaults.
    ///
    /// - Throws: `ConfigError` naming a key of the wrong type or an invalid value.
    public init(file: ConfigFile, testing: Bool) throws(ConfigError) {
        let top = try file.section()
        let auth = try file.section("auth")
        let logging = try file.section("logging")
        let storage = try file.section("storage")
        self.init(testing: testing)
        address = try top.string("address") ?? address
        port = try top.int("port") ?? port
        corsOrigins = try top.strings("cors") ?? []
        corsOriginPatterns = try top.strings("cors_regex") ?? []
        if let key = try auth.string("api_key"), !key.isEmpty { apiKey = key }
        deviceKeys = try Self.deviceKeys(file.section("auth.devices"), apiKey: apiKey)
        if let megabytes = try top.int("request_body_limit_mb") {
            guard megabytes > 0 else {
                throw ConfigError(path: file.path, reason: "'request_body_limit_mb' must be positive")
            }
            requestBodyLimit = megabytes * 1024 * 1024
        }
        if let seconds = try top.double("query_timeout") {
            guard seconds > 0, seconds <= 86_400 else {
                throw top.error(
                    "query_timeout", "must be a number of seconds above 0 and at most 86400, got \(seconds)")
            }
            queryLimits.timeout = .milliseconds(Int64((seconds * 1000).rounded()))
        }
        if let events = try top.int("query_max_events") {
            guard events > 0 else { throw top.error("query_max_events", "must be positive, got \(events)") }
            queryLimits.maximumEvents = events
        }
        jsonLogFile = try logging.bool("json_file") ?? false
        legacyImport = try top.bool("legacy_import") ?? true
        if let path = try top.string("webpath"), !path.isEmpty {
            if let problem = WebUISource.problem(withDirectory: path) {
                throw ConfigError(path: file.path, reason: "'webpath': \(problem)")
            }
            webUI = .directory(path)
        }
        switch try storage.string("backend") ?? "sqlite" {
        case "sqlite":
            postgresURL = nil
        case "postgres", "postgresql":
            guard let url = try storage.string("url"), !url.isEmpty else {
                throw storage.error("backend", "\"postgres\" needs url = \"postgres://user:password@host/database\"")
            }
            postgresURL = url
        case let other:
            throw storage.error("backend", "'\(other)' is not a storage backend; use \"sqlite\" or \"postgres\"")
        }
        guard (0...65535).contains(port) else {
            throw ConfigError(path: file.path, reason: "'port' \(port) is not a TCP port")
        }
        for pattern in corsOriginPatterns {
            do {
                _ = try Regex(pattern)
            } catch {
                throw ConfigError(
                    path: file.path,
                    reason: "'cors_regex' entry '\(pattern)' is not a valid regular expression: \(error)")
            }
        }
    }

    /// `[auth.devices]`: each value a non-empty key, none used twice.
    private static func deviceKeys(_ devices: ConfigSection, apiKey: String?) throws(ConfigError) -> [String: String] {
        var keys: [String: String] = [:]
        var owners: [String: String] = apiKey.map { [$0: "auth.api_key"] } ?? [:]
        for device in devices.keys {
            guard let key = try devices.string(device), !key.isEmpty else {
                throw devices.error(device, "must be a non-empty key")
            }
            if let owner = owners[key] {
                throw devices.error(device, "uses the same key as '\(owner)'; give every device its own")
            }
            owners[key] = devices.key(device)
            keys[device] = key
        }
        return keys
    }

    /// Every key that opens the API: `apiKey` and the device keys.
    public var acceptedKeys: [String] {
        (apiKey.map { [$0] } ?? []) + deviceKeys.sorted { $0.key < $1.key }.map(\.value)
    }

    /// Whether the server listens on loopback only (then the Host header is checked).
    public var isLoopbackOnly: Bool {
        ["127.0.0.1", "localhost", "::1"].contains(address)
    }

    /// Why the server must not start this way, or `nil`: listening beyond loopback without an
    /// API key would let anyone who reaches the port read and change the user's data.
    public var refusalToServe: String? {
        guard !isLoopbackOnly, acceptedKeys.isEmpty else { return nil }
        return
            "refusing to listen on \(address) without an API key: anyone who can reach that port could read and change your data; set api_key under [auth] in config.toml, or listen on 127.0.0.1"
    }

    /// The text written to a new `config.toml`: every setting, commented out, at its default.
    public static func defaultConfigFileContents(testing: Bool) -> String {
        """
        # aw-server-swift configuration.
        # Every setting is commented out and shows its default; remove the '#' to change one.
        # Command-line flags (--host, --port, ...) override what is set here.

        # The address to listen on. Anything other than loopback lets other machines connect,
        # so the server then refuses to start without an API key (set one below).
        #address = "127.0.0.1"

        # The TCP port.
        #port = \(defaultPort(testing: testing))

        # Extra origins (exactly as the browser sends them) allowed to use the API from web pages,
        # in addition to this server's own and the ActivityWatch browser extensions.
        #cors = ["http://localhost:27180"]

        # Extra origin patterns, as regular expressions matching the whole origin.
        #cors_regex = ["chrome-extension://.*"]

        # The largest request body accepted (imports of big exports need a large value), in MiB.
        #request_body_limit_mb = 512

        # How long one query (POST /api/0/query) may run, in seconds, before it is stopped and
        # answered with an error; other requests are served meanwhile.
        #query_timeout = 30

        # The most events one query may read from storage for one time period; a query past it is
        # answered with an error. Each takes 50-60 bytes of memory while the query runs when
        # titles repeat, as window titles do, up to 300 when every event's data differs.
        #query_max_events = 10000000

        # On the first start, import the history of aw-server-rust or the Python aw-server when
        # their database is found (aw-server import-legacy does it by hand).
        #legacy_import = true

        # A directory with a web UI build to serve at / instead of the built-in dashboard, e.g.
        # the official ActivityWatch web UI (aw-webui's dist folder).
        #webpath = ""

        [auth]
        # When set, every request to /api/ except /api/0/info must carry
        # "Authorization: Bearer <api_key>".
        #api_key = ""
        # Or as well: one key per device, so that one device can be locked out on its own.
        #[auth.devices]
        #laptop = "a-long-random-key"

        [logging]
        # Also write a JSON-lines log file next to the human-readable one.
        #json_file = false

        [storage]
        # Where the data is kept: "sqlite" (a file in the data folder) or "postgres" (a PostgreSQL
        # database, which several aw-server processes and devices can share).
        #backend = "sqlite"
        # The PostgreSQL database, for backend = "postgres"; the password may also come from
        # PGPASSWORD. sslmode is disable, prefer (the default), require, verify-ca or verify-full;
        # sslrootcert=FILE names the certificate authorities (PEM) to trust instead of the system's.
        #url = "postgres://aw@localhost:5432/activitywatch?sslmode=prefer"

        """
    }
}
