import AWCore
import Foundation
import Synchronization

/// Threads of their own for running queries, so that a query busy for seconds never holds up
/// the event loops that answer every other request (heartbeats, the web UI's other calls).
///
/// A task started with this executor as its preference runs here, including after each `await`
/// on the store. The threads have 8 MiB stacks whatever the platform's default, which the
/// query engine's bounded recursion stays far within.
final class QueryExecutor: TaskExecutor {
    /// The executor every server in the process shares: one thread per core, at least two.
    static let shared = QueryExecutor(threads: max(2, ProcessInfo.processInfo.activeProcessorCount))

    private let jobs = Mutex<[UnownedJob]>([])
    private let waiting = DispatchSemaphore(value: 0)

    private init(threads: Int) {
        for index in 0..<threads {
            startDetachedThread(name: "aw-query-\(index)", stackSize: 8 << 20) { [self] in work() }
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        waiting.signal()
    }

    private func work() {
        while true {
            waiting.wait()
            let job = jobs.withLock { $0.removeFirst() }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
