import AWCore
import Foundation

/// Events on their way from a request body's decoder to the store, so that storing can begin
/// before the body is read to its end (`EventStore.insertEvents(bucketID:decoding:)`): the
/// decoder sends batches as it reads them and never waits; the writer takes them in order,
/// waiting for the next while the decoder is still reading.
public final class EventFeed: @unchecked Sendable {  // every property is guarded by `condition`
    /// Why the writer stops taking events: the decoder failed, so nothing may be stored.
    struct Abandoned: Error {}

    private let condition = NSCondition()
    private var batches: [[EncodedEvent]] = []
    private var taken = 0
    private var ended = false
    private var failed = false

    /// How many events `decode(_:)` hands over at a time: enough that handing over costs little,
    /// few enough that the writer starts soon (about 40 µs of reading).
    public static let batchSize = 64

    init() {}

    /// Decodes a request body (an array of events or a single event object, as
    /// `EncodedEvent.decodeList(from:)` reads it) and sends its events as it goes.
    ///
    /// - Throws: `EventDecodingError` at the first fault; the events sent before it must not be
    ///   stored (the store's `insertEvents(bucketID:decoding:)` sees to that).
    public func decode(_ body: UnsafeRawBufferPointer) throws(EventDecodingError) {
        try EncodedEvent.decodeList(from: body, batchSize: EventFeed.batchSize, deliver: send)
    }

    /// `decode(_:)` for a body held in an array.
    public func decode(_ body: [UInt8]) throws(EventDecodingError) {
        // The buffer call rethrows untyped errors, so the typed one travels in a `Result`.
        try body.withUnsafeBytes { bytes in Result { () throws(EventDecodingError) in try decode(bytes) } }.get()
    }

    /// Hands over the next events, in the order they are to be stored.
    public func send(_ events: [EncodedEvent]) {
        condition.withLock {
            batches.append(events)
            condition.signal()
        }
    }

    /// Says that no more events come: all were sent, or (`failed`) the decoder stopped at a fault
    /// and none of the events may be stored.
    func finish(failed: Bool) {
        condition.withLock {
            ended = true
            self.failed = failed
            condition.signal()
        }
    }

    /// The next batch, waiting for the decoder when it has not sent one yet; `nil` once every
    /// batch sent has been taken and the decoder has finished.
    ///
    /// - Throws: `Abandoned` once the decoder has failed.
    func next() throws(Abandoned) -> [EncodedEvent]? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if failed { throw Abandoned() }
            if taken < batches.count {
                // Taken batches are released at once; the array itself is small.
                let batch = batches[taken]
                batches[taken] = []
                taken += 1
                return batch
            }
            if ended { return nil }
            condition.wait()
        }
    }

    /// Every event sent and not taken yet, in order (for a store that writes them all at once,
    /// after the decoder has finished).
    func remaining() -> [EncodedEvent] {
        condition.withLock {
            let events = Array(batches[taken...].joined())
            batches.removeAll()
            taken = 0
            return events
        }
    }
}
