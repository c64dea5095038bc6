import Synchronization
import Testing

@testable import AWCore

@Suite("Handing freed heap memory back once large requests stop")
struct HeapMemoryTests {
    @Test("the action runs once per burst, no sooner than the quiet period after its last note, and not while idle")
    func runsAfterEachBurst() async throws {
        let action = QuietPeriodAction()
        let runs = Mutex<[ContinuousClock.Instant]>([])
        let quietPeriod = Duration.milliseconds(300)
        let runner = Task { await action.run(after: quietPeriod) { runs.withLock { $0.append(.now) } } }

        var lastNote = ContinuousClock.now
        for _ in 0..<3 {
            lastNote = .now
            action.note()
            try await Task.sleep(for: .milliseconds(100))
        }
        try await waitForRuns(1, runs)
        #expect(runs.withLock { $0[0] } - lastNote >= quietPeriod)

        lastNote = .now
        action.note()
        try await waitForRuns(2, runs)
        #expect(runs.withLock { $0[1] } - lastNote >= quietPeriod)

        try await Task.sleep(for: quietPeriod * 3)
        #expect(runs.withLock { $0.count } == 2)
        runner.cancel()
        await runner.value  // returns once cancelled
    }

    private func waitForRuns(_ count: Int, _ runs: borrowing Mutex<[ContinuousClock.Instant]>) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while runs.withLock({ $0.count }) < count {
            try #require(ContinuousClock.now < deadline, "the action did not run \(count) time(s) within 30 s")
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
