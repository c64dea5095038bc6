import AWCore
import Dispatch
import GRDB
import Synchronization

/// JSON text produced from a database and handed over in chunks, with back-pressure: the
/// producer waits while the consumer has chunks it has not taken yet, so a response of any
/// size needs only a few hundred kilobytes of memory, however slow the client.
public struct JSONChunkStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    let chunks: AsyncThrowingStream<[UInt8], any Error>
    /// For a producer running on an SQLite reader; `nil` when chunks are made as they are asked for.
    let handoff: Handoff?

    /// A stream whose chunks are made one at a time as the consumer asks for them by `next`,
    /// which returns `nil` at the end.
    package init(pulling next: @escaping @Sendable () async throws -> [UInt8]?) {
        chunks = AsyncThrowingStream(unfolding: next)
        handoff = nil
    }

    private init(chunks: AsyncThrowingStream<[UInt8], any Error>, handoff: Handoff) {
        self.chunks = chunks
        self.handoff = handoff
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        let handoff: Handoff?

        public mutating func next() async throws -> [UInt8]? {
            let chunk = try await base.next()
            if chunk != nil { handoff?.credits.signal() }  // room for one more
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: chunks.makeAsyncIterator(), handoff: handoff)
    }

    /// What producer and consumer share: credits for chunks in flight, and whether the consumer
    /// has gone away.
    final class Handoff: Sendable {
        /// Chunks the producer may still hand over. Created at zero and raised to two, because
        /// libdispatch refuses to free a semaphore whose value is below its initial value, which
        /// happens when the consumer leaves chunks untaken.
        let credits = DispatchSemaphore(value: 0)
        let cancelled = Mutex(false)

        init() {
            credits.signal()
            credits.signal()
        }
    }

    /// Runs `produce` on a reader of `datastore` (in one read transaction, so it sees one
    /// consistent snapshot), streaming what it writes.
    static func make(
        _ datastore: Datastore,
        chunkSize: Int = 256 * 1024,
        produce: @escaping @Sendable (ChunkSink) throws -> Void
    ) -> JSONChunkStream {
        let (chunks, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        let handoff = Handoff()
        continuation.onTermination = { _ in
            handoff.cancelled.withLock { $0 = true }
            handoff.credits.signal()  // wake the producer so it can stop
        }
        Task {
            do {
                try await datastore.read { db in
                    let sink = ChunkSink(db: db, chunkSize: chunkSize, handoff: handoff, continuation: continuation)
                    try produce(sink)
                    try sink.flush()
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return JSONChunkStream(chunks: chunks, handoff: handoff)
    }
}

/// Where a streamed producer writes: a JSON writer that hands its bytes on whenever a chunk is full.
final class ChunkSink {
    let db: Database
    var writer: JSONWriter
    private let chunkSize: Int
    private let handoff: JSONChunkStream.Handoff
    private let continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation

    init(
        db: Database, chunkSize: Int, handoff: JSONChunkStream.Handoff,
        continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    ) {
        self.db = db
        self.chunkSize = chunkSize
        self.handoff = handoff
        self.continuation = continuation
        writer = JSONWriter(capacity: chunkSize + 64 * 1024)
    }

    /// Hands the written bytes on, waiting while the consumer is behind.
    func flush() throws {
        try flush(&writer)
    }

    /// Runs `body` with the writer as a local variable, for producers writing many small pieces:
    /// a class's property is checked for exclusive access at run time on every use, a local
    /// variable when compiled. Inside `body`, flush with `flushIfFull(_:)`.
    func withWriter<T>(_ body: (inout JSONWriter) throws -> T) throws -> T {
        var local = JSONWriter(capacity: 0)
        swap(&local, &writer)
        defer { swap(&local, &writer) }
        return try body(&local)
    }

    /// Hands `writer`'s bytes on if they fill a chunk.
    func flushIfFull(_ writer: inout JSONWriter) throws {
        if writer.bytes.count >= chunkSize { try flush(&writer) }
    }

    private func flush(_ writer: inout JSONWriter) throws {
        guard !writer.bytes.isEmpty else { return }
        handoff.credits.wait()
        if handoff.cancelled.withLock({ $0 }) { throw CancellationError() }
        continuation.yield(writer.bytes)
        writer.bytes.removeAll(keepingCapacity: true)
    }
}
