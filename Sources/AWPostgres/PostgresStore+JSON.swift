import AWCore
import AWDatastore
import PostgresNIO

extension PostgresStore {
    public func eventsJSON(bucketID: String, start: Timestamp?, end: Timestamp?, limit: Int?)
        async throws(DatastoreError) -> JSONChunkStream
    {
        let window = EventWindow(start: start, end: end)
        let (row, maximumDuration) = try await bucketRow(bucketID)
        let events = EventSource(
            bucketRow: row, maximumDuration: maximumDuration, window: window,
            limit: window.isEmpty(limit: limit) ? 0 : limit)
        return stream([JSONSegment(prefix: Array("[".utf8), events: events)], suffix: Array("]".utf8))
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
            let events = EventSource(
                bucketRow: row, maximumDuration: maximumDuration, window: EventWindow(start: nil, end: nil), limit: nil)
            segments.append(JSONSegment(prefix: writer.bytes, events: events))
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

/// A piece of a streamed document: fixed text, then the events of a range read.
struct JSONSegment: Sendable {
    var prefix: [UInt8]
    var events: EventSource
}

/// A range read of one bucket, made in pages.
struct EventSource: Sendable {
    var bucketRow: Int64
    var maximumDuration: Int64
    var window: EventWindow
    /// The most events to read; `nil` for all.
    var limit: Int?
}

/// Makes the chunks of a streamed document one at a time, reading a page of events whenever it
/// runs out; used by one consumer at a time.
final class JSONSegmentReader: @unchecked Sendable {
    private var segments: [JSONSegment]
    private var suffix: [UInt8]?
    private let store: PostgresStore
    private var current: JSONSegment?
    private var page = EventColumns()
    private var pageIndex = 0
    /// Events of the current segment written so far, and whether its last page has been read.
    private var written = 0
    private var exhausted = true
    private static let chunkSize = 256 * 1024
    private static let pageSize = 20_000

    init(segments: [JSONSegment], suffix: [UInt8], store: PostgresStore) {
        self.segments = segments.reversed()
        self.suffix = suffix
        self.store = store
    }

    /// The next chunk of at least `chunkSize` bytes (less at the end), or `nil` after the suffix.
    func nextChunk() async throws -> [UInt8]? {
        var writer = JSONWriter(capacity: Self.chunkSize + 64 * 1024)
        while writer.bytes.count < Self.chunkSize {
            if let segment = current, pageIndex < page.count {
                if written > 0 { writer.writeByte(UInt8(ascii: ",")) }
                let (id, start, end) = (page.ids[pageIndex], page.starts[pageIndex], page.ends[pageIndex])
                var text = page.data[pageIndex]
                text.withUTF8 { data in
                    segment.events.window.writeEvent(
                        id: id, start: start, end: end, data: UnsafeRawBufferPointer(data), to: &writer)
                }
                pageIndex += 1
                written += 1
            } else if let segment = current, !exhausted {
                try await readPage(segment.events)
            } else if let segment = segments.popLast() {
                writer.bytes.append(contentsOf: segment.prefix)
                current = segment
                (page, pageIndex, written, exhausted) = (EventColumns(), 0, 0, false)
            } else if let suffix {
                writer.bytes.append(contentsOf: suffix)
                self.suffix = nil
            } else {
                break
            }
        }
        return writer.bytes.isEmpty ? nil : writer.bytes
    }

    /// Reads the page after the current one.
    private func readPage(_ events: EventSource) async throws {
        let wanted = min(Self.pageSize, events.limit.map { max(0, $0 - written) } ?? .max)
        guard wanted > 0 else {
            exhausted = true
            return
        }
        let query = PostgresStore.rangeQuery(
            row: events.bucketRow, maximumDuration: events.maximumDuration, window: events.window, limit: wanted,
            after: page.last)
        page = try await store.eventColumns(query)
        pageIndex = 0
        exhausted = page.count < wanted
    }
}
