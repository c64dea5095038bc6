import AWDatastore
import Foundation
import Logging

#if PostgreSQL
    import AWPostgres
#endif

/// The PostgreSQL datastore, when this build has it: the package trait `PostgreSQL`, on by
/// default (the Debian package, the tarball, `scripts/release-build.sh`, the tests).
/// `scripts/run.sh` builds without it, so that a developer's first run starts sooner; such a
/// build refuses a PostgreSQL URL with a message that says how to get it.
enum PostgresSupport {
    #if PostgreSQL
        /// Checks a PostgreSQL URL without connecting.
        ///
        /// - Throws: the URL's problem in words.
        static func check(_ url: String) throws {
            _ = try PostgresAddress(url)
        }

        /// Opens the database at `url`, waiting up to `timeout` for its server.
        static func open(_ url: String, timeout: Duration, logger: Logger) async throws -> any EventStore {
            try await PostgresStore.open(PostgresAddress(url), timeout: timeout, logger: logger)
        }
    #else
        /// Refuses: this build has no PostgreSQL datastore.
        static func check(_ url: String) throws {
            throw Missing()
        }

        /// Refuses: this build has no PostgreSQL datastore.
        static func open(_ url: String, timeout: Duration, logger: Logger) async throws -> any EventStore {
            throw Missing()
        }

        struct Missing: Error, CustomStringConvertible {
            var description: String {
                "this aw-server was built without PostgreSQL (scripts/run.sh leaves it out to start sooner); build it with `scripts/release-build.sh aw-server`, or install the Debian package or the tarball"
            }
        }
    #endif
}
