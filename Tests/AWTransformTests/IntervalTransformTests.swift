import AWCore
import Testing

@testable import AWTransform

@Suite("filter_period_intersect, period_union, union_no_overlap")
struct IntervalTransformTests {
    let fiveSeconds = (0..<5).map { T.e(Double($0), 1, ["i": .int(Int64($0))], id: Int64($0)) }

    @Test("events are cut to the filter's time (test_filter_period_intersect)")
    func intersect() {
        let result = Transform.filterPeriodIntersect(fiveSeconds, filters: [T.e(2.5, 2)])
        #expect(T.spans(result) == [[2.5, 0.5], [3, 1], [4, 0.5]])
        #expect(result.map(\.id) == [2, 3, 4])
        #expect(result.map { $0.data["i"] } == [2, 3, 4])
        #expect(
            T.spans(Transform.filterPeriodIntersect([T.e(0, 10)], filters: [T.e(2, 1), T.e(5, 1)])) == [
                [2, 1], [5, 1],
            ])
        #expect(T.spans(Transform.filterPeriodIntersect([T.e(2, 1)], filters: [T.e(0, 10)])) == [[2, 1]])
    }

    @Test("overlapping filters do not count the same time twice")
    func overlappingFilters() {
        let result = Transform.filterPeriodIntersect([T.e(0, 10)], filters: [T.e(1, 4), T.e(2, 2), T.e(3, 4)])
        #expect(T.spans(result) == [[1, 4], [5, 2]])
    }

    @Test("zero-duration events, touching intervals and empty inputs give nothing; unsorted input works")
    func edges() {
        #expect(Transform.filterPeriodIntersect([T.e(1, 0)], filters: [T.e(0, 2)]).isEmpty)
        #expect(Transform.filterPeriodIntersect([T.e(0, 1)], filters: [T.e(1, 1)]).isEmpty)
        #expect(Transform.filterPeriodIntersect([], filters: [T.e(0, 1)]).isEmpty)
        #expect(Transform.filterPeriodIntersect([T.e(0, 1)], filters: []).isEmpty)
        #expect(
            T.spans(Transform.filterPeriodIntersect([T.e(5, 1), T.e(0, 1)], filters: [T.e(5.5, 1), T.e(0, 0.25)])) == [
                [0, 0.25], [5.5, 0.5],
            ])
        // Newest first, as a bucket is read, with and without two events starting together.
        let newestFirst = [T.e(6, 2, id: 3), T.e(3, 2, id: 2), T.e(0, 2, id: 1)]
        #expect(Transform.filterPeriodIntersect(newestFirst, filters: [T.e(1, 6)]).map(\.id) == [1, 2, 3])
        let tied = [T.e(6, 2, id: 4), T.e(3, 2, id: 2), T.e(3, 1, id: 3), T.e(0, 2, id: 1)]
        #expect(Transform.filterPeriodIntersect(tied, filters: [T.e(1, 6)]).map(\.id) == [1, 2, 3, 4])
    }

    @Test("period_union joins overlapping and touching events and clears data")
    func union() {
        #expect(Transform.periodUnion([], []).isEmpty)
        let touching = Transform.periodUnion([T.e(0, 1, ["a": 1], id: 7)], [T.e(1, 1, ["b": 2])])
        #expect(T.spans(touching) == [[0, 2]])
        #expect(touching[0].data.isEmpty)
        #expect(touching[0].id == 7)
        #expect(T.spans(Transform.periodUnion([T.e(0, 1)], [T.e(2, 1)])) == [[0, 1], [2, 1]])
        #expect(T.spans(Transform.periodUnion([T.e(0, 1)], [])) == [[0, 1]])
        #expect(T.spans(Transform.periodUnion([], [T.e(0, 1)])) == [[0, 1]])
        #expect(T.spans(Transform.periodUnion([T.e(0, 10), T.e(2, 1)], [T.e(9, 3)])) == [[0, 12]])
    }

    @Test("union_no_overlap keeps the first list whole and cuts the second around it")
    func unionNoOverlap() {
        #expect(T.spans(Transform.unionNoOverlap([T.e(0, 1)], [T.e(2, 1)])) == [[0, 1], [2, 1]])
        #expect(T.spans(Transform.unionNoOverlap([T.e(2, 1)], [T.e(0, 1)])) == [[0, 1], [2, 1]])
        let inside = Transform.unionNoOverlap([T.e(1800, 3600, ["a": 1])], [T.e(0, 7200, ["b": 1], id: 9)])
        #expect(T.spans(inside) == [[0, 1800], [1800, 3600], [5400, 1800]])
        #expect(inside.map { $0.data } == [["b": 1], ["a": 1], ["b": 1]])
        #expect(inside.map(\.id) == [nil, nil, nil])
        let bFirst = Transform.unionNoOverlap([T.e(0, 3600, ["a": 1])], [T.e(1800, 3600, ["b": 1])])
        #expect(T.spans(bFirst) == [[0, 3600], [3600, 1800]])
    }

    @Test("every short event inside a longer one is absorbed (the upstream bug is fixed)")
    func containment() {
        let result = Transform.unionNoOverlap(
            [T.e(0, 10, ["a": 1])],
            [T.e(1, 1, ["b": 1]), T.e(3, 1, ["b": 2]), T.e(5, 1, ["b": 3]), T.e(9, 3, ["b": 4])])
        #expect(T.spans(result) == [[0, 10], [10, 2]])
        #expect(result.map(\.data) == [["a": 1], ["b": 4]])
        let total = result.reduce(0) { $0 + $1.durationNanoseconds }
        #expect(total == 12_000_000_000)
        #expect(T.spans(Transform.unionNoOverlap([], [T.e(0, 1)])) == [[0, 1]])
        #expect(T.spans(Transform.unionNoOverlap([T.e(0, 1)], [])) == [[0, 1]])
        #expect(T.spans(Transform.unionNoOverlap([T.e(0, 5)], [T.e(2, 0)])) == [[0, 5]])
    }
}
