import GRDB
import GRDBSQLite
import Synchronization

/// Where a datastore's reads run for the current task.
public enum ReadPlacement {
    /// Set while the task runs on threads that may wait for SQLite (the query threads): its reads
    /// then run on the thread that asks, instead of going to GRDB's queues and back (four thread
    /// switches a read: to the pool for a connection, back, to the connection's queue, back).
    /// Unset elsewhere, where a thread must never wait (the event loops).
    @TaskLocal public static var onCallingThread = false
}

/// Stops a read running on the calling thread once its task is cancelled (a query past its time
/// limit), as GRDB stops the reads it runs itself: SQLite asks it every thousand steps of its
/// virtual machine whether to go on, so a cancellation is seen however the statement is stepped
/// and whenever it comes.
final class ReadInterruption: Sendable {
    private let cancelled = Atomic(false)

    /// Runs `body` on `db`, stopped by `interrupt()` meanwhile.
    ///
    /// - Throws: `CancellationError` when interrupted (or cancelled before it began), else what
    ///   `body` throws.
    func whileRunning<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        if cancelled.load(ordering: .relaxed) { throw CancellationError() }
        let connection = db.sqliteConnection
        sqlite3_progress_handler(connection, 1000, Self.stopsWhenCancelled, Unmanaged.passUnretained(self).toOpaque())
        defer { sqlite3_progress_handler(connection, 0, nil, nil) }
        do {
            return try body()
        } catch {
            if cancelled.load(ordering: .relaxed) { throw CancellationError() }
            throw error
        }
    }

    /// SQLite's progress handler: non-zero (stop the statement) once the read is cancelled. Its
    /// context is the `ReadInterruption`, which outlives the read.
    private static let stopsWhenCancelled: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { context in
        guard let context else { return 0 }
        return Unmanaged<ReadInterruption>.fromOpaque(context).takeUnretainedValue().cancelled.load(ordering: .relaxed)
            ? 1 : 0
    }

    /// Stops the read, whether it has begun or not.
    func interrupt() {
        cancelled.store(true, ordering: .relaxed)
    }
}
