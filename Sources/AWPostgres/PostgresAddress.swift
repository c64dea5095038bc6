import Foundation
import PostgresNIO

/// A PostgreSQL server and database as written in config and on the command line:
/// `postgres://user:password@host:port/database?sslmode=disable`.
///
/// Missing parts take libpq's defaults: user `$USER`, host `localhost`, port 5432, database named
/// as the user, password from `PGPASSWORD`, `sslmode=prefer`. `sslrootcert=FILE` names the
/// certificate authorities (PEM) that sign the server's certificate, as in libpq.
public struct PostgresAddress: Sendable, Equatable, CustomStringConvertible {
    /// How the connection is encrypted, as libpq's `sslmode`.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Never encrypt.
        case disable
        /// Encrypt when the server offers it, without checking its certificate.
        case prefer
        /// Always encrypt, without checking the certificate (unless `sslrootcert` is given:
        /// then as `verifyCA`, as libpq does).
        case require
        /// Always encrypt and check that a trusted authority signed the certificate.
        case verifyCA = "verify-ca"
        /// Always encrypt and check the certificate and that it names the host.
        case verifyFull = "verify-full"
    }

    /// The certificate authorities a checked certificate must be signed by.
    public enum TrustedAuthorities: Sendable, Equatable {
        /// The system's (`sslrootcert=system`, or none given).
        case system
        /// Those in a PEM file (`sslrootcert=FILE`).
        case file(String)
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    public var trustedAuthorities: TrustedAuthorities

    /// Reads a `postgres://` or `postgresql://` URL.
    ///
    /// The user and password run to the last `@`, so a password may hold `#`, `/`, `?`, `@` or
    /// spaces as typed (percent-encoded works too).
    ///
    /// - Throws: `PostgresAddressError` naming what is wrong; its message never shows what lies
    ///   between `://` and the last `@`.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(PostgresAddressError)
    {
        guard text.contains("://"), let components = URLComponents(string: Self.encodingCredentials(text)),
            let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme.lowercased())
        else {
            throw PostgresAddressError(text: text, reason: "expected postgres://user:password@host:port/database")
        }
        user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? environment["USER"] ?? "postgres"
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding } ?? environment["PGPASSWORD"]
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw PostgresAddressError(text: text, reason: "the port \(port) is not between 1 and 65535")
        }
        let encodedPath = components.percentEncodedPath
        let path = encodedPath.hasPrefix("/") ? String(encodedPath.dropFirst()) : encodedPath
        database = path.removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 } ?? user
        tls = .prefer
        trustedAuthorities = .system
        var authoritiesGiven = false
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    let modes = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw PostgresAddressError(text: text, reason: "sslmode must be one of \(modes)")
                }
                tls = mode
            case "sslrootcert":
                authoritiesGiven = true
                let value = item.value ?? ""
                if value == "system" { continue }
                guard FileManager.default.isReadableFile(atPath: value) else {
                    throw PostgresAddressError(
                        text: text, reason: "sslrootcert '\(value)' is not a file aw-server can read")
                }
                trustedAuthorities = .file(value)
            default:
                throw PostgresAddressError(
                    text: text, reason: "unknown parameter '\(item.name)' (only sslmode and sslrootcert are read)")
            }
        }
        if authoritiesGiven && trustedAuthorities == .system && tls != .verifyFull {
            throw PostgresAddressError(text: text, reason: "sslrootcert=system needs sslmode=verify-full")
        }
        if case .file = trustedAuthorities, tls == .require { tls = .verifyCA }
    }

    /// `text` with the characters a URL does not allow in its user and password (everything
    /// from `://` to the last `@`) percent-encoded; `%` escapes already there are kept.
    static func encodingCredentials(_ text: String) -> String {
        guard let credentials = PostgresAddressError.credentialsRange(in: text) else { return text }
        // The user runs to the first ':', the password from there.
        let encoded = text[credentials].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            .map(percentEncoded).joined(separator: ":")
        return text.replacingCharacters(in: credentials, with: encoded)
    }

    /// `part` with every byte a URL's user or password may not hold as it is written `%XX`; a
    /// `%` already followed by two hex digits is an escape and stays.
    private static func percentEncoded(_ part: Substring) -> String {
        let bytes = Array(part.utf8)
        var result = ""
        for (index, byte) in bytes.enumerated() {
            let isEscape =
                byte == UInt8(ascii: "%") && index + 2 < bytes.count
                && bytes[(index + 1)...(index + 2)].allSatisfy { Character(Unicode.Scalar($0)).isHexDigit }
            let isPlain =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || "-._~!$&'()*+,;=".utf8.contains(byte)
            if isPlain || isEscape {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    /// The address without its password, for messages and logs.
    public var description: String {
        "postgres://\(user)@\(host):\(port)/\(database)"
    }

    /// The client (connection pool) configuration for this address.
    package var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch self.tls {
            case .disable: .disable
            case .prefer: .prefer(tlsConfiguration)
            case .require, .verifyCA, .verifyFull: .require(tlsConfiguration)
            }
        return PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// The configuration of one connection made outside the pool, giving up after `timeout`.
    ///
    /// - Throws: The TLS library's error when the `sslrootcert` file holds no usable certificate.
    package func connectionConfiguration(timeout: Duration) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch self.tls {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: tlsConfiguration))
            case .require, .verifyCA, .verifyFull: .require(try NIOSSLContext(configuration: tlsConfiguration))
            }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = TimeAmount(timeout)
        return configuration
    }

    /// What `tls` asks of the server's certificate.
    private var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if case .file(let path) = trustedAuthorities { configuration.trustRoots = .file(path) }
        switch tls {
        case .disable, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        return configuration
    }
}

/// A PostgreSQL address that cannot be used.
public struct PostgresAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var reason: String

    public var description: String {
        "invalid PostgreSQL address '\(Self.hidingPassword(text))': \(reason)"
    }

    /// The text with everything between `://` and the last `@` (user and password) replaced by
    /// `***`; without `://`, everything up to the last `@`.
    static func hidingPassword(_ text: String) -> String {
        if let credentials = credentialsRange(in: text) {
            return text.replacingCharacters(in: credentials, with: "***")
        }
        guard let at = text.lastIndex(of: "@") else { return text }
        return "***" + text[at...]
    }

    /// Where the user and password are: from `://` to the last `@`, when both are there.
    static func credentialsRange(in text: String) -> Range<String.Index>? {
        guard let scheme = text.range(of: "://"), let at = text.lastIndex(of: "@"), at >= scheme.upperBound else {
            return nil
        }
        return scheme.upperBound..<at
    }
}

extension String {
    /// The string with zeros in front up to `length` characters.
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
