import AWCore
import Foundation
import GRDB

extension Datastore {
    /// The key under which a failed first-start import is remembered (not a setting: clients
    /// never see or change it).
    static let legacyImportProblemKey = "internal.legacy_import_problem"

    /// Why the import of another ActivityWatch server's history failed on the first start, until
    /// an import succeeds; `nil` when nothing failed.
    public func legacyImportProblem() async throws(DatastoreError) -> String? {
        try await read { db in
            try String.fetchOne(
                db, sql: "SELECT value FROM key_value WHERE key = ?", arguments: [Self.legacyImportProblemKey])
        }
    }

    /// Remembers why the first-start import failed, or (`nil`) that an import has since succeeded.
    public func setLegacyImportProblem(_ problem: String?) async throws(DatastoreError) {
        try await write { db in
            if let problem {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO key_value (key, value, last_modified) VALUES (?, ?, ?)",
                    arguments: [Self.legacyImportProblemKey, problem, Int64(Date().timeIntervalSince1970)])
            } else {
                try db.execute(sql: "DELETE FROM key_value WHERE key = ?", arguments: [Self.legacyImportProblemKey])
            }
        }
    }
}
