import Foundation
import PostgresNIO

/// A PostgreSQL server and database as written in config and on the command line:
/// `postgres://user:password@host:port/database?sslmode=disable`.
///
/// Missing parts take libpq's defaults: user `$USER`, host `localhost`, port 5432, database named
/// as the user, password from `PGPASSWORD`, `sslmode=prefer`.
public struct PostgresAddress: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is encrypted, as libpq's `sslmode`.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Never encrypt.
        case disable
        /// Encrypt when the server offers it, without checking its certificate.
        case prefer
        /// Always encrypt, without checking the certificate.
        case require
        /// Always encrypt and check the certificate and host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// Reads a `postgres://` or `postgresql://` URL.
    ///
    /// - Throws: `PostgresAddressError` naming what is wrong.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(PostgresAddressError)
    {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme.lowercased())
        else {
            throw PostgresAddressError(text: text, reason: "expected postgres://user:password@host:port/database")
        }
        user = components.user.flatMap { $0.removingPercentEncoding } ?? environment["USER"] ?? "postgres"
        password = components.password.flatMap { $0.removingPercentEncoding } ?? environment["PGPASSWORD"]
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw PostgresAddressError(text: text, reason: "the port \(port) is not between 1 and 65535")
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 } ?? user
        tls = .prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    let modes = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw PostgresAddressError(text: text, reason: "sslmode must be one of \(modes)")
                }
                tls = mode
            default:
                throw PostgresAddressError(
                    text: text, reason: "unknown parameter '\(item.name)' (only sslmode is read)")
            }
        }
    }

    /// The address without its password, for messages and logs.
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)"
    }

    /// The client configuration for this address.
    package var clientConfiguration: PostgresClient.Configuration {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        let tls: PostgresClient.Configuration.TLS =
            switch self.tls {
            case .disable: .disable
            case .prefer: .prefer(unverified)
            case .require: .require(unverified)
            case .verifyFull: .require(.makeClientConfiguration())
            }
        return PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
    }
}

/// A PostgreSQL address that cannot be used.
public struct PostgresAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var reason: String

    public var description: String {
        "invalid PostgreSQL address '\(Self.hidingPassword(text))': \(reason)"
    }

    /// The text with any password replaced by `***`.
    static func hidingPassword(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }
}
