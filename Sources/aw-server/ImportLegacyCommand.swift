import AWCore
import AWDatastore
import AWServer
import ArgumentParser
import Foundation
import Logging

/// `aw-server import-legacy [PATH...]`: takes in the history of aw-server-rust or the Python
/// aw-server.
struct ImportLegacyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-legacy",
        abstract: "Import the buckets, events and settings of aw-server-rust or the Python aw-server.",
        discussion: """
            With no PATH, the databases those servers keep in $XDG_DATA_HOME/activitywatch/ are \
            imported (aw-server-rust/sqlite.db, aw-server/peewee-sqlite.v2.db; the testing ones with \
            --testing). They are opened read-only and never changed. Buckets that exist already get \
            only the events they lack, so running it again adds nothing. They go into the store \
            aw-server uses: the SQLite file, or the PostgreSQL database of --postgres or of \
            [storage] in the config file. Stop aw-server first when it uses an SQLite file: it \
            holds the file.
            """
    )

    @Argument(help: "aw-server-rust sqlite.db or Python aw-server peewee-sqlite.v2.db files.", completion: .file())
    var paths: [String] = []

    @Flag(help: "Import into the testing database (sqlite-testing.db) and look for the testing databases.")
    var testing = false

    @Option(help: "The SQLite database to import into.")
    var dbpath: String?

    @Option(
        name: .customLong("postgres"),
        help: "Import into this PostgreSQL database (postgres://user:password@host/db) instead of SQLite.")
    var postgresURL: String?

    @Option(name: [.customShort("c"), .long], help: "The config file whose [storage] section names the store.")
    var config: String?

    func validate() throws {
        if dbpath != nil && postgresURL != nil {
            throw ValidationError("--dbpath and --postgres name two stores; give one")
        }
    }

    /// Where aw-server-rust and the Python aw-server keep their databases.
    static func defaultSources(testing: Bool, directories: Directories) -> [String] {
        let data = directories.dataDirectory()
        return testing
            ? ["\(data)/aw-server-rust/sqlite-testing.db", "\(data)/aw-server-testing/peewee-sqlite.v2.db"]
            : [
                "\(data)/aw-server-rust/sqlite.db", "\(data)/aw-server/peewee-sqlite.v2.db",
                "\(data)/aw-server/peewee-sqlite.v1.db",
            ]
    }

    func run() async throws {
        let directories = Directories()
        var sources = paths
        if sources.isEmpty {
            sources = Self.defaultSources(testing: testing, directories: directories).filter {
                FileManager.default.fileExists(atPath: $0)
            }
            guard !sources.isEmpty else {
                throw AWServerCommand.fatal(
                    "no ActivityWatch database found (looked for \(Self.defaultSources(testing: testing, directories: directories).joined(separator: ", ")))"
                )
            }
        }
        // Every file is checked before anything is written.
        var databases: [LegacyDatabase] = []
        for path in sources {
            do {
                databases.append(try LegacyDatabase(path: path))
            } catch {
                throw AWServerCommand.fatal("\(error)")
            }
        }
        var quiet = Logger(label: AWServerCommand.moduleName)
        quiet.logLevel = .warning
        let datastore: any EventStore
        do {
            var postgres = postgresURL
            if postgres == nil && dbpath == nil {
                let file = try AWServerCommand.loadConfiguration(
                    path: config, testing: testing, directories: directories, loadingPlugins: false
                ).file
                postgres = try ServerConfiguration(file: file, testing: testing).postgresURL
            }
            let store: StoreName =
                if let postgres { try StoreName(postgresURL: postgres) } else {
                    .sqlite(AWServerCommand.databasePath(dbpath, testing: testing, directories: directories))
                }
            datastore = try await store.open(logger: quiet)
        } catch {
            throw AWServerCommand.fatal("\(error)")
        }
        do {
            try await importEach(databases, into: datastore)
        } catch {
            try? await datastore.close()
            throw error
        }
        do {
            try await datastore.close()
        } catch {
            throw AWServerCommand.fatal("\(error)")
        }
    }

    /// Imports the databases one after the other, printing what each brought.
    private func importEach(_ databases: [LegacyDatabase], into datastore: any EventStore) async throws {
        let progress = ImportProgress()
        for database in databases {
            print("importing \(database.path) (\(database.kind)) into \(datastore.location)")
            let summary: LegacyImportSummary
            do {
                summary = try await datastore.importLegacy(
                    database, defaults: ["classes": ServerAPI.defaultCategories]
                ) { bucket, done, total in
                    progress.show(bucket: bucket, done: done, total: total)
                }
                progress.end()
            } catch {
                progress.end()
                throw AWServerCommand.fatal("\(error) (buckets imported before it were kept; run the import again)")
            }
            if let sqlite = datastore as? Datastore { try? await sqlite.setLegacyImportProblem(nil) }
            for line in summary.renameLines { print("  \(line)") }
            for result in summary.buckets {
                print(
                    "  \(result.bucketID): \(result.created ? "new" : "merged"), \(result.inserted) events imported, \(result.skipped) already there"
                )
            }
            print(
                "  \(summary.buckets.count) buckets, \(summary.eventsInserted) events imported, \(summary.eventsSkipped) skipped; settings: \(summary.settingsImported) imported, \(summary.settingsSkipped) kept"
            )
        }
    }
}

/// A one-line progress display on a terminal's standard error, for buckets over 10,000 events.
final class ImportProgress: Sendable {
    private let enabled = isatty(STDERR_FILENO) == 1

    func show(bucket: String, done: Int, total: Int) {
        guard enabled, total > 10_000 else { return }
        let percent = total == 0 ? 100 : done * 100 / total
        FileHandle.standardError.write(Data("\r  \(bucket): \(done)/\(total) events (\(percent)%)\u{1B}[K".utf8))
    }

    func end() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
