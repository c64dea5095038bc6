import Synchronization
import Testing

@testable import AWCore

@Suite("Handing freed heap memory back once large requests stop")
struct HeapMemoryTests {
    @Test(
        "the action runs no sooner than the quiet period after the last note it saw, after the last note of a burst, and not while idle"
    )
    func runsAfterEachBurst() async throws {
        let action = QuietPeriodAction()
        let runs = Mutex<[ContinuousClock.Instant]>([])
        let quietPeriod = Duration.milliseconds(300)
        let runner = Task { await action.run(after: quietPeriod) { runs.withLock { $0.append(.now) } } }

        // Each note's time lies between the instants taken just before and just after it.
        var notes: [(before: ContinuousClock.Instant, after: ContinuousClock.Instant)] = []
        func note() {
            let before = ContinuousClock.now
            action.note()
            notes.append((before, .now))
        }
        for burst in 0..<2 {
            for _ in 0..<3 {
                note()
                try await Task.sleep(for: .milliseconds(100))
            }
            // The last note of the burst is followed by a run.
            try await waitForRun(after: notes[notes.count - 1].after, runs, burst: burst)
        }
        try await Task.sleep(for: .seconds(2))  // a run already under way ends
        let count = runs.withLock { $0.count }
        try await Task.sleep(for: quietPeriod * 3)
        #expect(runs.withLock { $0.count } == count)  // no run without a new note
        #expect(count <= notes.count)
        for run in runs.withLock({ $0 }) {
            // The last note surely made before the run: the run came a quiet period after it or later.
            let seen = try #require(notes.last { $0.after < run })
            #expect(run - seen.before >= quietPeriod)
        }
        runner.cancel()
        await runner.value  // returns once cancelled
    }

    private func waitForRun(
        after instant: ContinuousClock.Instant, _ runs: borrowing Mutex<[ContinuousClock.Instant]>, burst: Int
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !runs.withLock({ $0.contains { $0 > instant } }) {
            try #require(ContinuousClock.now < deadline, "no run within 30 s after burst \(burst)")
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
