import AWDatastore
import AWPostgres
import ArgumentParser
import Foundation
import Logging

/// A store named on the command line (`migrate --from/--to`) or chosen by options and config
/// (`import-legacy`): an SQLite file or a PostgreSQL database.
enum StoreName {
    case sqlite(String)
    case postgres(PostgresAddress)

    /// Reads `sqlite:PATH` or `postgres:URL` (a `postgres://` URL alone works too).
    init(_ text: String) throws(ValidationError) {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw ValidationError("'\(text)': sqlite: needs a file path") }
            self = .sqlite((path as NSString).expandingTildeInPath)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") || text.hasPrefix("postgres:") {
            let url =
                text.hasPrefix("postgres:") && !text.hasPrefix("postgres://") ? String(text.dropFirst(9)) : text
            do {
                self = .postgres(try PostgresAddress(url))
            } catch {
                throw ValidationError("\(error)")
            }
        } else {
            throw ValidationError("'\(text)' is not a store: write sqlite:PATH or postgres:URL")
        }
    }

    /// Opens the store, waiting up to 30 s for a PostgreSQL server: these commands run once,
    /// so a server that is slow to answer is better waited for than given up on.
    func open(logger: Logger) async throws(DatastoreError) -> any EventStore {
        switch self {
        case .sqlite(let path): try Datastore(path: path, logger: logger)
        case .postgres(let address): try await PostgresStore.open(address, timeout: .seconds(30), logger: logger)
        }
    }
}
