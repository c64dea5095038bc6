import AWCore
import AWDatastore
import AWTestSupport
import Dispatch

/// Helpers shared by the datastore suites.
enum Fixture {
    static let second: Int64 = 1_000_000_000
    static let base = Timestamp(nanoseconds: 1_700_000_000 * 1_000_000_000)

    /// A timestamp `seconds` after `base`.
    static func at(_ seconds: Double) -> Timestamp {
        base.advanced(byNanoseconds: Int64(seconds * 1e9))
    }

    /// An event starting `start` seconds after `base`.
    static func event(_ start: Double, _ duration: Double = 0, _ data: [String: JSON] = ["app": "a"], id: Int64? = nil)
        -> Event
    {
        Event(id: id, timestamp: at(start), durationNanoseconds: Int64(duration * 1e9), data: data)
    }

    static func bucket(_ id: String = "bucket-1") -> Bucket {
        Bucket(id: id, type: "currentwindow", client: "tests", hostname: "host", created: base)
    }

    /// A datastore in a fresh temporary file, with its folder kept alive alongside.
    static func fileStore(flushDelay: Duration = .milliseconds(50)) throws -> (Datastore, TemporaryDirectory) {
        let folder = TemporaryDirectory()
        return (try Datastore(path: folder.file("sqlite.db"), flushDelay: flushDelay), folder)
    }

    /// A task running `body` as the server runs a query's reads: with
    /// `ReadPlacement.onCallingThread` set, on a thread of its own (a read waits for SQLite on
    /// its thread, which must not be one of the shared pool's few that other tests need).
    static func readingOnCallingThread<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Task<
        T, any Error
    > {
        Task(executorPreference: ReadThread.shared) {
            try await ReadPlacement.$onCallingThread.withValue(true) { try await body() }
        }
    }
}

/// A thread of its own for tests' reads on the calling thread, as the server's query threads.
final class ReadThread: TaskExecutor {
    static let shared = ReadThread()
    /// A serial queue: one thread, apart from the shared pool.
    private let queue = DispatchQueue(label: "aw-test-reads")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
