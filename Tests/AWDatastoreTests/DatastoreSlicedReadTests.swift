import AWCore
import AWTestSupport
import Foundation
import Testing

@testable import AWDatastore

@Suite("Datastore: long ranges read in pieces at once")
struct DatastoreSlicedReadTests {
    /// Three days of events in a file store: short ones every few minutes, long ones that cross
    /// the pieces' bounds, several starting at the same instant, and zero-length ones.
    static func threeDays() async throws -> (Datastore, TemporaryDirectory, [Event]) {
        let (store, folder) = try Fixture.fileStore()
        try await store.createBucket(Fixture.bucket())
        var random = SplitMix(seed: 21)
        var events: [Event] = []
        var start = 0.0
        while start < 3 * 86_400 {
            let duration = Bool.random(using: &random) ? Double.random(in: 0...600, using: &random) : 0
            events.append(Fixture.event(start, duration, ["n": .int(Int64(events.count))]))
            if Int.random(in: 0..<20, using: &random) == 0 {  // a long one alongside
                events.append(Fixture.event(start, Double.random(in: 3600...7200, using: &random), ["long": true]))
            }
            start += Double(Int.random(in: 0...300, using: &random))  // 0: the same start again
        }
        return (store, folder, try await store.insertEvents(events, bucketID: "bucket-1"))
    }

    /// What a read of `[start, end]` must give: the overlapping events, clipped, newest first,
    /// then shorter first, then by id, at most `limit`.
    static func expected(_ events: [Event], start: Double, end: Double, limit: Int?) -> [Event] {
        let (from, to) = (Fixture.at(start), Fixture.at(end))
        let overlapping = events.filter { $0.end >= from && $0.timestamp <= to }
            .sorted { lhs, rhs in
                if lhs.timestamp != rhs.timestamp { return lhs.timestamp > rhs.timestamp }
                if lhs.end != rhs.end { return lhs.end < rhs.end }
                return lhs.id! < rhs.id!
            }
            .map { event in
                var clipped = event
                clipped.timestamp = max(event.timestamp, from)
                clipped.end = max(clipped.timestamp, min(event.end, to))
                return clipped
            }
        return limit.map { Array(overlapping.prefix($0)) } ?? overlapping
    }

    @Test(
        "a long range read in pieces gives the events one read gives, in order, clipped and cut at the limit, on GRDB's queues or on the calling thread",
        arguments: [1, 2, 4], [false, true])
    func samePieces(pieces: Int, onCallingThread: Bool) async throws {
        if onCallingThread {
            try await Fixture.readingOnCallingThread { try await Self.readInPieces(pieces) }.value
        } else {
            try await Self.readInPieces(pieces)
        }
    }

    private static func readInPieces(_ pieces: Int) async throws {
        let (store, folder, stored) = try await Self.threeDays()
        defer { withExtendedLifetime(folder) {} }
        let cases: [(Double, Double, Int?)] = [
            (0, 3 * 86_400, nil), (3_600.5, 2.5 * 86_400, nil), (40_000, 200_000, 7), (40_000, 200_000, 5_000),
            (0, 86_400, 1), (100_000, 100_000 + 6 * 3_600, nil), (-86_400, 4 * 86_400, 1_000),
        ]
        for (start, end, limit) in cases {
            let range = try store.rangeQuery(
                bucketID: "bucket-1", start: Fixture.at(start), end: Fixture.at(end), limit: limit)
            if pieces > 1 { #expect(range.slices(pieces, minimumSpan: Datastore.slicedReadSpan).count == pieces) }
            let read = try await store.events(range, slices: pieces)
            #expect(
                read == Self.expected(stored, start: start, end: end, limit: limit), "\(start)…\(end) \(limit ?? -1)")
        }
    }

    @Test("a range shorter than a quarter of a day, or open at either end, is read in one go")
    func shortRanges() async throws {
        let (store, folder, _) = try await Self.threeDays()
        defer { withExtendedLifetime(folder) {} }
        let short = try store.rangeQuery(bucketID: "bucket-1", start: Fixture.at(0), end: Fixture.at(3_600), limit: nil)
        #expect(short.slices(4, minimumSpan: Datastore.slicedReadSpan).count == 1)
        let open = try store.rangeQuery(bucketID: "bucket-1", start: nil, end: Fixture.at(86_400), limit: nil)
        #expect(open.slices(4, minimumSpan: Datastore.slicedReadSpan).count == 1)
    }

    @Test(
        "an event moved back and forth between the first and the last day is in every read exactly once",
        .timeLimit(.minutes(5)))
    func writesDuringReads() async throws {
        // One event an hour: reads stay quick, so the test is light beside others running at once.
        let (store, folder) = try Fixture.fileStore()
        defer { withExtendedLifetime(folder) {} }
        try await store.createBucket(Fixture.bucket())
        _ = try await store.insertEvents(
            (0..<72).map { Fixture.event(Double($0) * 3_600 + 1_800, 60) }, bucketID: "bucket-1")
        let moving = try await store.insertEvents([Fixture.event(600, 1, ["moving": true])], bucketID: "bucket-1")[0]
        let mover = Task {
            var day = 0
            while !Task.isCancelled {
                day = 2 - day
                var moved = moving
                moved.timestamp = Fixture.at(Double(day * 86_400 + 600))
                _ = try await store.insertEvents([moved], bucketID: "bucket-1")
            }
        }
        defer { mover.cancel() }
        let range = try store.rangeQuery(
            bucketID: "bucket-1", start: Fixture.at(0), end: Fixture.at(3 * 86_400), limit: nil)
        for _ in 0..<300 {
            let read = try await store.events(range, slices: 4)
            #expect(read.filter { $0.id == moving.id }.count == 1)
        }
    }
}
