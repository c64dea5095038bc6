import AWCore
import AWDatastore
import PostgresNIO
import Synchronization

extension PostgresStore {
    public func eventsJSON(bucketID: String, start: Timestamp?, end: Timestamp?, limit: Int?)
        async throws(DatastoreError) -> JSONChunkStream
    {
        let window = EventWindow(start: start, end: end)
        let (row, maximumDuration) = try await bucketRow(bucketID)
        let query =
            window.isEmpty(limit: limit)
            ? nil : Self.rangeQuery(row: row, maximumDuration: maximumDuration, window: window, limit: limit)
        return stream([JSONSegment(prefix: Array("[".utf8), query: query, window: window)], suffix: Array("]".utf8))
    }

    public func exportJSON(bucketIDs: [String]?) async throws(DatastoreError) -> JSONChunkStream {
        let all = try await buckets().sorted { $0.id < $1.id }
        if let bucketIDs {
            for id in bucketIDs where !all.contains(where: { $0.id == id }) { throw .bucketNotFound(id: id) }
        }
        var segments: [JSONSegment] = []
        for bucket in bucketIDs.map({ ids in all.filter { ids.contains($0.id) } }) ?? all {
            var writer = JSONWriter()
            writer.writeRaw(segments.isEmpty ? "{\"buckets\":{" : "]},")
            writer.write(bucket.id)
            writer.writeByte(UInt8(ascii: ":"))
            bucket.writeFields(to: &writer)
            writer.writeRaw(",\"events\":[")
            let (row, maximumDuration) = try await bucketRow(bucket.id)
            let window = EventWindow(start: nil, end: nil)
            segments.append(
                JSONSegment(
                    prefix: writer.bytes,
                    query: Self.rangeQuery(row: row, maximumDuration: maximumDuration, window: window, limit: nil),
                    window: window))
        }
        return stream(segments, suffix: Array((segments.isEmpty ? "{\"buckets\":{}}" : "]}}}").utf8))
    }

    /// Streams the segments' text and event rows, then `suffix`, reading each segment's rows as
    /// the consumer asks for chunks: a slow client holds back the reading.
    private func stream(_ segments: [JSONSegment], suffix: [UInt8]) -> JSONChunkStream {
        let reader = JSONSegmentReader(segments: segments, suffix: suffix, store: self)
        return JSONChunkStream { try await reader.nextChunk() }
    }
}

/// A piece of a streamed document: fixed text, then the rows of a query as event objects.
struct JSONSegment: Sendable {
    var prefix: [UInt8]
    var query: PostgresQuery?
    var window: EventWindow
}

/// Makes the chunks of a streamed document one at a time; used by one consumer at a time.
final class JSONSegmentReader: @unchecked Sendable {
    private var segments: [JSONSegment]
    private var suffix: [UInt8]?
    private let store: PostgresStore
    private var rows: PostgresRowSequence.AsyncIterator?
    private var current: JSONSegment?
    private var firstRow = true
    private static let chunkSize = 256 * 1024

    init(segments: [JSONSegment], suffix: [UInt8], store: PostgresStore) {
        self.segments = segments.reversed()
        self.suffix = suffix
        self.store = store
    }

    /// The next chunk of at least `chunkSize` bytes (less at the end), or `nil` after the suffix.
    func nextChunk() async throws -> [UInt8]? {
        var writer = JSONWriter(capacity: Self.chunkSize + 64 * 1024)
        while writer.bytes.count < Self.chunkSize {
            if var iterator = rows, let segment = current {
                guard let row = try await nextRow(&iterator) else {
                    rows = nil
                    continue
                }
                rows = iterator
                if !firstRow { writer.writeByte(UInt8(ascii: ",")) }
                firstRow = false
                let cells = PostgresRandomAccessRow(row)
                let (id, start, end) = try (
                    cells[0].decode(Int64.self), cells[1].decode(Int64.self), cells[2].decode(Int64.self)
                )
                if let data = cells[3].bytes {
                    data.withUnsafeReadableBytes {
                        segment.window.writeEvent(id: id, start: start, end: end, data: $0, to: &writer)
                    }
                } else {
                    segment.window.writeEvent(id: id, start: start, end: end, data: nil, to: &writer)
                }
            } else if let segment = segments.popLast() {
                writer.bytes.append(contentsOf: segment.prefix)
                current = segment
                firstRow = true
                if let query = segment.query {
                    rows = try await store.streamRows(query).makeAsyncIterator()
                }
            } else if let suffix {
                writer.bytes.append(contentsOf: suffix)
                self.suffix = nil
            } else {
                break
            }
        }
        return writer.bytes.isEmpty ? nil : writer.bytes
    }

    private func nextRow(_ iterator: inout PostgresRowSequence.AsyncIterator) async throws -> PostgresRow? {
        do {
            return try await iterator.next()
        } catch {
            throw store.translate(error)
        }
    }
}
