import AWCore
import AWWatcherKit
import Testing

@testable import AFKWatcher

@Suite("AFK watcher: the state machine")
struct AFKStateMachineTests {
    let t0 = Timestamp(nanoseconds: 1_700_000_000_000_000_000)
    let ms: Int64 = 1_000_000
    let s: Int64 = 1_000_000_000

    func sample(_ wallSeconds: Double, idle: Double, saver: Bool = false, awake: Double? = nil)
        -> AFKStateMachine.Sample
    {
        AFKStateMachine.Sample(
            clock: .init(
                wall: t0.advanced(byNanoseconds: Int64(wallSeconds * 1e9)),
                monotonicNanoseconds: Int64((awake ?? wallSeconds) * 1e9)),
            idleMilliseconds: Int64(idle * 1000), screenSaverActive: saver)
    }

    func describe(_ heartbeats: [AWWatcherKitHeartbeat]) -> [String] {
        heartbeats.map {
            "\($0.event.data["status"]!.stringValue!)@\($0.event.timestamp.nanoseconds(since: t0) / ms)ms+\($0.event.durationNanoseconds / ms)ms"
        }
    }

    @Test("aw-watcher-afk's worked example: away from the last input, back at the next input")
    func workedExample() {
        var machine = AFKStateMachine(timeout: 180, poll: 5, pulsetime: 185)
        #expect(describe(machine.observe(sample(0, idle: 0))) == ["not-afk@0ms+0ms"])
        #expect(describe(machine.observe(sample(175, idle: 175))) == ["not-afk@0ms+0ms"])
        #expect(describe(machine.observe(sample(182, idle: 182))) == ["not-afk@0ms+0ms", "afk@1ms+181999ms"])
        #expect(describe(machine.observe(sample(600, idle: 600))) == ["afk@1ms+599999ms"])
        #expect(describe(machine.observe(sample(603, idle: 2))) == ["afk@601000ms+0ms", "not-afk@601001ms+0ms"])
        #expect(describe(machine.observe(sample(608, idle: 0.5))) == ["not-afk@607500ms+0ms"])
        #expect(machine.pulsetime == 185)
    }

    @Test("an active screen saver counts as away, from the last input")
    func screenSaver() {
        var machine = AFKStateMachine(timeout: 180, poll: 5, pulsetime: 185)
        _ = machine.observe(sample(0, idle: 0))
        #expect(
            describe(machine.observe(sample(10, idle: 4, saver: true))) == ["not-afk@6000ms+0ms", "afk@6001ms+3999ms"])
        #expect(machine.isAFK)
    }

    @Test("back without touching anything since: the active event keeps its start until away again")
    func backThenScreenSaver() {
        var machine = AFKStateMachine(timeout: 5, poll: 1, pulsetime: 6)
        _ = machine.observe(sample(0, idle: 0))
        _ = machine.observe(sample(6, idle: 6))
        #expect(describe(machine.observe(sample(8, idle: 0.5))) == ["afk@7500ms+0ms", "not-afk@7501ms+0ms"])
        #expect(describe(machine.observe(sample(9, idle: 1.5))) == ["not-afk@7501ms+0ms"])
        #expect(
            describe(machine.observe(sample(10, idle: 2.5, saver: true))) == [
                "not-afk@7501ms+0ms", "afk@7502ms+2498ms",
            ])
    }

    @Test("while away it samples every half second but repeats the away heartbeat once per poll time")
    func samplingWhileAway() {
        var machine = AFKStateMachine(timeout: 10, poll: 5, pulsetime: 15)
        _ = machine.observe(sample(0, idle: 0))
        #expect(machine.sampleIntervalNanoseconds == 5 * s)
        #expect(describe(machine.observe(sample(10, idle: 10))) == ["not-afk@0ms+0ms", "afk@1ms+9999ms"])
        #expect(machine.sampleIntervalNanoseconds == 500 * ms)
        #expect(describe(machine.observe(sample(10.5, idle: 10.5))) == [])
        #expect(describe(machine.observe(sample(15, idle: 15))) == ["afk@1ms+14999ms"])
        #expect(describe(machine.observe(sample(15.5, idle: 15.5))) == [])
        #expect(describe(machine.finish()) == ["afk@1ms+15499ms"])  // what was held back, when watching stops
        #expect(describe(machine.finish()) == [])
        // Back: the input 0.2 s before this sample ends the away period there.
        #expect(describe(machine.observe(sample(15.5, idle: 0.2))) == ["afk@15300ms+0ms", "not-afk@15301ms+0ms"])
        #expect(machine.sampleIntervalNanoseconds == 5 * s)
    }

    @Test("small wobble of now-minus-idle keeps one timestamp, so heartbeats merge")
    func jitter() {
        var machine = AFKStateMachine(timeout: 2, poll: 1, pulsetime: 3)
        _ = machine.observe(sample(0, idle: 0))
        #expect(describe(machine.observe(sample(3.0004, idle: 3))) == ["not-afk@0ms+0ms", "afk@1ms+2999ms"])
        #expect(describe(machine.observe(sample(4.0007, idle: 4))) == ["afk@1ms+3999ms"])
    }

    @Test("suspended without input: the time asleep is away, from the last input before it")
    func suspendWhileIdle() {
        var machine = AFKStateMachine(timeout: 180, poll: 5, pulsetime: 185)
        _ = machine.observe(sample(0, idle: 0))
        _ = machine.observe(sample(5, idle: 3))
        // 1 hour asleep; the monotonic clock (and X's idle counter) only saw 5 s awake since.
        #expect(
            describe(machine.observe(sample(3610, idle: 8, awake: 10))) == [
                "not-afk@2000ms+0ms", "afk@2001ms+3607999ms",
            ])
    }

    @Test("woken by a key: the time asleep is away, then active from that input")
    func suspendThenInput() {
        var machine = AFKStateMachine(timeout: 180, poll: 5, pulsetime: 185)
        _ = machine.observe(sample(0, idle: 0))
        _ = machine.observe(sample(5, idle: 3))
        let heartbeats = describe(machine.observe(sample(3610, idle: 1, awake: 10)))
        #expect(
            heartbeats == ["not-afk@2000ms+0ms", "afk@2001ms+3602999ms", "afk@3609000ms+0ms", "not-afk@3609001ms+0ms"])
        #expect(!machine.isAFK)
    }
}

typealias AWWatcherKitHeartbeat = AWWatcherKit.Heartbeat
