import AWDatastore
import ArgumentParser
import Foundation
import Logging

/// A store named on the command line (`migrate --from/--to`) or chosen by options and config
/// (`import-legacy`): an SQLite file or a PostgreSQL database.
enum StoreName {
    case sqlite(String)
    /// A PostgreSQL URL, checked.
    case postgres(String)

    /// Reads `sqlite:PATH` or `postgres:URL` (a `postgres://` URL alone works too).
    init(_ text: String) throws(ValidationError) {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw ValidationError("'\(text)': sqlite: needs a file path") }
            self = .sqlite((path as NSString).expandingTildeInPath)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") || text.hasPrefix("postgres:") {
            try self.init(
                postgresURL: text.hasPrefix("postgres:") && !text.hasPrefix("postgres://")
                    ? String(text.dropFirst(9)) : text)
        } else {
            throw ValidationError("'\(text)' is not a store: write sqlite:PATH or postgres:URL")
        }
    }

    /// The PostgreSQL database at `url` (a `postgres://` or `postgresql://` URL), checked.
    init(postgresURL url: String) throws(ValidationError) {
        do {
            try PostgresSupport.check(url)
        } catch {
            throw ValidationError("\(error)")
        }
        self = .postgres(url)
    }

    /// Opens the store, waiting up to 30 s for a PostgreSQL server: these commands run once,
    /// so a server that is slow to answer is better waited for than given up on.
    func open(logger: Logger) async throws -> any EventStore {
        switch self {
        case .sqlite(let path): try Datastore(path: path, logger: logger)
        case .postgres(let url): try await PostgresSupport.open(url, timeout: .seconds(30), logger: logger)
        }
    }
}
