import AWCore
import Testing

@Suite("Heartbeat merge")
struct HeartbeatMergeTests {
    let base = Timestamp(nanoseconds: 1_000_000_000_000)
    let second: Int64 = 1_000_000_000

    func event(at offset: Int64, duration: Int64 = 0, data: [String: JSON] = ["app": "a"], id: Int64? = nil) -> Event {
        Event(
            id: id, timestamp: base.advanced(byNanoseconds: offset * second), durationNanoseconds: duration * second,
            data: data)
    }

    @Test("a heartbeat within pulsetime extends the last event and keeps its id")
    func mergesWithinPulsetime() throws {
        let merged = try #require(
            event(at: 0, duration: 1, id: 7).merging(heartbeat: event(at: 2), pulsetimeNanoseconds: 2 * second))
        #expect(merged.id == 7)
        #expect(merged.timestamp == base)
        #expect(merged.durationNanoseconds == 2 * second)
    }

    @Test("the pulsetime window is inclusive and nothing merges past it")
    func window() {
        #expect(
            event(at: 0, duration: 1).merging(heartbeat: event(at: 3), pulsetimeNanoseconds: 2 * second) != nil)
        #expect(
            event(at: 0, duration: 1).merging(heartbeat: event(at: 4), pulsetimeNanoseconds: 2 * second) == nil)
    }

    @Test("different data never merges")
    func differentData() {
        #expect(
            event(at: 0).merging(heartbeat: event(at: 1, data: ["app": "b"]), pulsetimeNanoseconds: 10 * second)
                == nil)
        #expect(
            event(at: 0, data: ["n": .int(1)]).merging(
                heartbeat: event(at: 1, data: ["n": .double(1)]), pulsetimeNanoseconds: 10 * second) == nil)
    }

    @Test("a heartbeat older than the last event never merges")
    func older() {
        #expect(event(at: 5).merging(heartbeat: event(at: 4), pulsetimeNanoseconds: 10 * second) == nil)
    }

    @Test("a heartbeat never shortens an event; one with a duration extends to its own end")
    func neverShortens() throws {
        let inside = try #require(
            event(at: 0, duration: 10).merging(heartbeat: event(at: 2), pulsetimeNanoseconds: 0))
        #expect(inside.durationNanoseconds == 10 * second)
        let longer = try #require(
            event(at: 0, duration: 1).merging(heartbeat: event(at: 1, duration: 5), pulsetimeNanoseconds: 0))
        #expect(longer.durationNanoseconds == 6 * second)
    }

    @Test("same timestamp merges in both orders of zero-length events")
    func sameTimestamp() {
        #expect(
            event(at: 1).merging(heartbeat: event(at: 1), pulsetimeNanoseconds: 0)?.durationNanoseconds == 0)
    }
}
