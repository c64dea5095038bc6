import AWCore
import AWDatastore
import ArgumentParser
import Foundation
import Logging

/// `aw-server migrate --from STORE --to STORE`: copies every bucket, event and setting from one
/// store to another (SQLite file ↔ PostgreSQL database).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy all buckets, events and settings between an SQLite file and a PostgreSQL database.",
        discussion: """
            A store is sqlite:PATH or postgres:URL (a postgres:// URL alone works too), e.g. \
            `aw-server migrate --from sqlite:~/.local/share/activitywatch/aw-server-swift/sqlite.db \
            --to postgres://aw@localhost/activitywatch`. Events are read and written in pages, so \
            any size fits in memory; the source is only read. Running it again adds nothing: a \
            bucket the target has already gets only the events it lacks (same start, end and data), \
            so an interrupted migration is finished by running it again. Stop the aw-server that \
            uses an SQLite file first: it holds the file.
            """
    )

    @Option(help: "The store to read: sqlite:PATH or postgres:URL.")
    var from: String

    @Option(help: "The store to write: sqlite:PATH or postgres:URL.")
    var to: String

    @Option(help: "Events per page read and written.")
    var pageSize = 10_000

    func validate() throws {
        _ = try StoreName(from)
        _ = try StoreName(to)
        guard pageSize > 0 else { throw ValidationError("--page-size must be positive") }
    }

    func run() async throws {
        var logger = Logger(label: "aw-server.migrate")
        logger.logLevel = .warning
        let source: any EventStore
        let target: any EventStore
        do {
            source = try await StoreName(from).open(logger: logger)
        } catch {
            throw AWServerCommand.fatal("cannot open the source: \(error)")
        }
        do {
            target = try await StoreName(to).open(logger: logger)
        } catch {
            try? await source.close()
            throw AWServerCommand.fatal("cannot open the target: \(error)")
        }
        do {
            let totals = try await Migration(source: source, target: target, pageSize: pageSize).run { line in
                print(line)
            }
            print(
                "done: \(totals.buckets) buckets, \(totals.inserted) events copied, \(totals.skipped) already there, \(totals.settings) settings"
            )
        } catch {
            try? await source.close()
            try? await target.close()
            throw AWServerCommand.fatal("migration stopped: \(error); run it again to finish")
        }
        do {
            try await source.close()
            try await target.close()
        } catch {
            throw AWServerCommand.fatal("\(error)")
        }
    }
}
