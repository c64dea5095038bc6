import AWCore
import Foundation
import GRDB

extension Datastore {
    /// All settings, by key.
    public func settings() async throws(DatastoreError) -> [String: JSON] {
        try await read { db in
            var result: [String: JSON] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT key, value FROM key_value WHERE key LIKE 'settings.%'")
            while let row = try rows.next() {
                let key: String = row[0]
                result[Self.settingKey(stored: key)] = (try? JSON.parse(row[1] as String)) ?? .null
            }
            return result
        }
    }

    /// One setting, or `nil` when it is not set.
    ///
    /// - Throws: `DatastoreError.invalidSettingKey`, or a storage error.
    public func setting(_ key: String) async throws(DatastoreError) -> JSON? {
        let storedKey = try Self.storedSettingKey(key)
        return try await read { db in
            try String.fetchOne(db, sql: "SELECT value FROM key_value WHERE key = ?", arguments: [storedKey])
                .map { (try? JSON.parse($0)) ?? .null }
        }
    }

    /// Stores a setting, replacing any earlier value.
    ///
    /// - Throws: `DatastoreError.invalidSettingKey`, or a storage error.
    public func setSetting(_ key: String, to value: JSON) async throws(DatastoreError) {
        let storedKey = try Self.storedSettingKey(key)
        let text = value.serialized()
        try await write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO key_value (key, value, last_modified) VALUES (?, ?, ?)",
                arguments: [storedKey, text, Int64(Date().timeIntervalSince1970)]
            )
        }
    }

    /// Removes a setting (nothing happens when it is not set).
    ///
    /// - Throws: `DatastoreError.invalidSettingKey`, or a storage error.
    public func deleteSetting(_ key: String) async throws(DatastoreError) {
        let storedKey = try Self.storedSettingKey(key)
        try await write { db in
            try db.execute(sql: "DELETE FROM key_value WHERE key = ?", arguments: [storedKey])
        }
    }
}
