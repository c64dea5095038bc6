import GRDB

/// Why a datastore operation failed.
public enum DatastoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No bucket has this id.
    case bucketNotFound(id: String)
    /// A bucket with this id exists already.
    case bucketAlreadyExists(id: String)
    /// The bucket has no event with this id.
    case eventNotFound(bucketID: String, eventID: Int64)
    /// A settings key that cannot be stored.
    case invalidSettingKey(key: String, reason: String)
    /// The disk (or the file system holding the database) is full; nothing was written.
    case storageFull(path: String)
    /// The database file or its folder is read-only.
    case readOnly(path: String)
    /// Another program holds the database.
    case databaseLocked(path: String)
    /// Another aw-server process is using the database file.
    case alreadyInUse(path: String)
    /// The file exists but is not an SQLite database, or it is damaged.
    case notADatabase(path: String, reason: String)
    /// The database was written by a newer aw-server whose schema this one does not know.
    case unknownSchema(path: String, migrations: [String])
    /// The database could not be opened.
    case cannotOpen(path: String, reason: String)
    /// The database server cannot be reached (down, restarting, or the network is away); the
    /// request may succeed later without restarting aw-server.
    case unavailable(location: String, reason: String)
    /// Other writers kept the database busy: the write was rolled back (a deadlock or a
    /// serialization failure that retrying did not resolve) and may succeed if sent again.
    case busy(location: String, reason: String)
    /// Any other storage failure.
    case storageFailure(reason: String)

    /// Whether the storage can still be read though it refuses writes: the disk is full, the
    /// file is read-only, or another program holds the write lock.
    public var refusesWritesOnly: Bool {
        switch self {
        case .storageFull, .readOnly, .databaseLocked: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .bucketNotFound(let id):
            return "bucket '\(id)' does not exist"
        case .bucketAlreadyExists(let id):
            return "bucket '\(id)' already exists"
        case .eventNotFound(let bucketID, let eventID):
            return "event \(eventID) does not exist in bucket '\(bucketID)'"
        case .invalidSettingKey(let key, let reason):
            return "invalid settings key '\(key)': \(reason)"
        case .storageFull(let path):
            return "the disk holding the database \(path) is full; nothing was written"
        case .readOnly(let path):
            return "the database \(path) is read-only; nothing was written"
        case .databaseLocked(let path):
            return "the database \(path) is locked by another program"
        case .alreadyInUse(let path):
            return "the database \(path) is already in use by another aw-server process"
        case .notADatabase(let path, let reason):
            return "the file \(path) is not a usable SQLite database: \(reason)"
        case .unknownSchema(let path, let migrations):
            return
                "the database \(path) was written by a newer aw-server (unknown migrations: \(migrations.joined(separator: ", ")))"
        case .cannotOpen(let path, let reason):
            return "cannot open the database \(path): \(reason)"
        case .unavailable(let location, let reason):
            return "the database server \(location) cannot be reached: \(reason)"
        case .busy(let location, let reason):
            return "the database \(location) was kept busy by other writers: \(reason)"
        case .storageFailure(let reason):
            return "storage failure: \(reason)"
        }
    }

    /// Translates an SQLite or GRDB error about the database at `path` into a datastore error.
    static func wrapping(_ error: any Error, path: String) -> DatastoreError {
        if let error = error as? DatastoreError { return error }
        guard let error = error as? DatabaseError else {
            return .storageFailure(reason: "\(error)")
        }
        let reason = error.message ?? "\(error.resultCode)"
        switch error.resultCode.primaryResultCode {
        case .SQLITE_FULL: return .storageFull(path: path)
        case .SQLITE_READONLY: return .readOnly(path: path)
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .databaseLocked(path: path)
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .notADatabase(path: path, reason: reason)
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH: return .cannotOpen(path: path, reason: reason)
        case .SQLITE_IOERR:
            // SQLITE_IOERR_WRITE / _FSYNC and friends on a full disk come through here as well.
            return error.extendedResultCode == .SQLITE_IOERR_WRITE
                ? .storageFull(path: path) : .storageFailure(reason: reason)
        default: return .storageFailure(reason: reason)
        }
    }
}
