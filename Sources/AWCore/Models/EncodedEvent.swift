/// An event whose data is kept as canonical JSON text (compact, keys sorted) rather than a
/// dictionary: the form in which bulk inserts travel from the request body to the database and
/// back into the response without being parsed into values.
public struct EncodedEvent: Sendable, Hashable {
    /// The stored id; `nil` before the event is stored.
    public var id: Int64?
    /// When the activity started.
    public var timestamp: Timestamp
    /// How long it lasted, in nanoseconds.
    public var durationNanoseconds: Int64
    /// The data object as canonical JSON text.
    public var dataJSON: [UInt8]

    public init(id: Int64? = nil, timestamp: Timestamp, durationNanoseconds: Int64, dataJSON: [UInt8]) {
        self.id = id
        self.timestamp = timestamp
        self.durationNanoseconds = durationNanoseconds
        self.dataJSON = dataJSON
    }

    /// The same event with its data serialized canonically.
    public init(_ event: Event) {
        var writer = JSONWriter(capacity: 96)
        writer.write(event.data)
        self.init(
            id: event.id, timestamp: event.timestamp, durationNanoseconds: event.durationNanoseconds,
            dataJSON: writer.bytes)
    }

    /// When the activity ended.
    public var end: Timestamp { timestamp.advanced(byNanoseconds: durationNanoseconds) }

    /// Writes `{"id":…,"timestamp":…,"duration":…,"data":{…}}`, the data copied as it is.
    public func write(to writer: inout JSONWriter) {
        writer.writeRaw("{\"id\":")
        if let id { writer.write(id) } else { writer.writeRaw("null") }
        Event.writeFields(timestamp: timestamp, durationNanoseconds: durationNanoseconds, to: &writer)
        writer.bytes.append(contentsOf: dataJSON)
        writer.writeByte(UInt8(ascii: "}"))
    }
}

extension [EncodedEvent] {
    /// The events as one JSON array of event objects (what `POST …/events` answers with).
    public var jsonArray: [UInt8] {
        var writer = JSONWriter(capacity: reduce(2) { $0 + $1.dataJSON.count + 96 })
        writer.writeByte(UInt8(ascii: "["))
        for (index, event) in enumerated() {
            if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
            event.write(to: &writer)
        }
        writer.writeByte(UInt8(ascii: "]"))
        return writer.bytes
    }
}
