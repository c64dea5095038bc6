import Glibc
import Synchronization

/// How the server's heap memory goes back to the system after large requests.
///
/// glibc's malloc gives each thread that allocates at the same time as another a heap ("arena")
/// of its own, and keeps the memory free at the top of a heap until it passes a threshold that
/// grows with the largest block lately freed: after a 30-day query over a long history the server
/// kept about 70 MiB it no longer used, in ten heaps, for good (`malloc_trim` does not trim a
/// thread heap's top). With one heap (`keepFreedMemoryUntilQuiet()`), `malloc_trim` can hand all
/// of it back, and `releaseWhenQuiet(after:)` does so once the large requests have stopped for a
/// while.
///
/// Until then freed memory stays in the heap for the next request: by default glibc gives blocks
/// of 128 KiB and more their own mapping and unmaps them when freed, and hands back the top of the
/// heap at every free past 128 KiB, so each query over a month of events (arrays of 12 MiB) had
/// the kernel find and zero some 6,400 fresh pages, a tenth of its time.
public enum HeapMemory {
    /// Has malloc keep one heap for all threads, serve blocks below 32 MiB from it and keep what
    /// is freed there until `releaseFreedMemory()`. Call it first thing, before other threads
    /// start.
    public static func keepFreedMemoryUntilQuiet() {
        guard let mallopt = glibcFunction("mallopt", as: (@convention(c) (Int32, Int32) -> Int32).self) else { return }
        let arenaMax: Int32 = -8, mmapThreshold: Int32 = -3, trimThreshold: Int32 = -1
        _ = mallopt(arenaMax, 1)
        _ = mallopt(mmapThreshold, 32 << 20)  // glibc's largest
        _ = mallopt(trimThreshold, Int32.max)
    }

    /// Hands the heap memory that is free now back to the system (glibc's `malloc_trim`).
    public static func releaseFreedMemory() {
        _ = glibcFunction("malloc_trim", as: (@convention(c) (Int) -> Int32).self)?(0)
    }

    /// A function of glibc's malloc.h, which Swift's Glibc module does not include.
    private static func glibcFunction<Function>(_ name: String, as type: Function.Type) -> Function? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name).map { unsafeBitCast($0, to: type) }
    }

    /// Records that a request that may use much memory (a query, a read of many events, an
    /// export, a bulk insert) is being answered.
    public static func noteLargeRequest() {
        largeRequests.note()
    }

    /// Runs until cancelled: once large requests have stopped for `quietPeriod`, hands back
    /// what they freed (`releaseFreedMemory()`). One caller per process.
    public static func releaseWhenQuiet(after quietPeriod: Duration) async {
        await largeRequests.run(after: quietPeriod) { releaseFreedMemory() }
    }

    private static let largeRequests = QuietPeriodAction()
}

/// Runs an action once things noted come to a stop: `quietPeriod` after the last of each burst.
public final class QuietPeriodAction: Sendable {
    /// When the last thing was noted, in nanoseconds since `epoch`.
    private let lastNoted = Atomic<Int64>(0)
    private let epoch = ContinuousClock.now
    private let notes = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))

    public init() {}

    /// Records that something happened now.
    public func note() {
        lastNoted.store((ContinuousClock.now - epoch).nanosecondCount, ordering: .relaxed)
        notes.continuation.yield()
    }

    /// Until cancelled, calls `action` once nothing has been noted for `quietPeriod` after each
    /// burst. Idle, it waits without waking. One caller per instance.
    public func run(after quietPeriod: Duration, _ action: @Sendable () -> Void) async {
        var handled: Int64 = -1  // the note the last run followed
        for await _ in notes.stream {
            while true {
                let noted = lastNoted.load(ordering: .relaxed)
                guard noted != handled else { break }  // a note that arrived while waiting
                let quietFrom = epoch + .nanoseconds(noted) + quietPeriod
                if quietFrom <= .now {
                    action()
                    handled = noted
                    break
                }
                do {
                    try await Task.sleep(until: quietFrom)
                } catch {
                    return
                }
            }
        }
    }
}
