import AWCore
import Testing

@testable import AWTransform

@Suite("flood")
struct FloodTests {
    @Test("equal data 3 s apart merges into one event (test_flood_merge)")
    func merge() {
        let result = Transform.flood([T.e(0, 1, ["a": 1]), T.e(3, 1, ["a": 1])])
        #expect(T.spans(result) == [[0, 4]])
    }

    @Test("different data meets in the middle of the gap (test_flood_meet_in_middle)")
    func meetInTheMiddle() {
        let result = Transform.flood([T.e(0, 1, ["a": 1]), T.e(3, 1, ["a": 2])])
        #expect(T.spans(result) == [[0, 2], [2, 2]])
    }

    @Test("partial overlap with equal data merges (test_flood_partial_overlap)")
    func partialOverlap() {
        #expect(T.spans(Transform.flood([T.e(0, 2, ["a": 1]), T.e(1, 2, ["a": 1])])) == [[0, 3]])
    }

    @Test("a contained event with equal data disappears (test_flood_containing)")
    func containing() {
        #expect(T.spans(Transform.flood([T.e(0, 10, ["a": 1]), T.e(2, 2, ["a": 1])])) == [[0, 10]])
    }

    @Test("overlapping events with different data are left as they are (test_flood_containing_diff)")
    func containingDifferent() {
        let input = [T.e(0, 10, ["a": 1]), T.e(2, 2, ["a": 2])]
        #expect(Transform.flood(input) == input)
    }

    @Test("same timestamps: equal data keeps the longest, different data stays (test_flood_same_timestamp*)")
    func sameTimestamp() {
        #expect(T.spans(Transform.flood([T.e(0, 1, ["a": 1]), T.e(0, 3, ["a": 1]), T.e(0, 2, ["a": 1])])) == [[0, 3]])
        let different = Transform.flood([
            T.e(0, 1, ["s": "afk"]), T.e(1, 5, ["s": "not-afk"]), T.e(1, 1, ["s": "not-afk"]), T.e(6, 1, ["s": "afk"]),
        ])
        #expect(T.spans(different) == [[0, 1], [1, 5], [6, 1]])
    }

    @Test("the pulsetime is strict: a 4.9 s gap is filled, 5.0 s and 5.1 s are not")
    func strictPulsetime() {
        #expect(T.spans(Transform.flood([T.e(0, 1, ["a": 1]), T.e(5.9, 1, ["a": 1])])) == [[0, 6.9]])
        #expect(T.spans(Transform.flood([T.e(0, 1, ["a": 1]), T.e(6, 1, ["a": 1])])) == [[0, 1], [6, 1]])
        #expect(T.spans(Transform.flood([T.e(0, 1, ["a": 1]), T.e(6.1, 1, ["a": 2])])) == [[0, 1], [6.1, 1]])
        #expect(
            T.spans(Transform.flood([T.e(0, 1, ["a": 1]), T.e(6, 1, ["a": 1])], pulsetimeNanoseconds: 10_000_000_000))
                == [[0, 7]])
    }

    @Test("chains collapse, touching equal events merge, input order does not matter, ids of survivors stay")
    func chainsAndOrder() {
        let result = Transform.flood([
            T.e(4, 1, ["a": 1], id: 3), T.e(0, 1, ["a": 1], id: 1), T.e(2, 1, ["a": 1], id: 2),
            T.e(5, 1, ["a": 1], id: 4),
        ])
        #expect(T.spans(result) == [[0, 6]])
        #expect(result[0].id == 1)
        #expect(Transform.flood([]).isEmpty)
        #expect(T.spans(Transform.flood([T.e(0, 0, ["a": 1])])) == [[0, 0]])
    }

    @Test("each side takes half the gap, truncated to whole nanoseconds (as aw-server-rust)")
    func oddGap() {
        let result = Transform.flood([T.e(0, 1, ["a": 1]), T.e(1.000000003, 1, ["a": 2])])
        #expect(result[0].durationNanoseconds == 1_000_000_001)
        #expect(result[1].timestamp == T.at(1.000000002))
        #expect(result[1].durationNanoseconds == 1_000_000_001)
    }
}
