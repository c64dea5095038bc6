import Glibc

/// Why a request body could not be read as events: not JSON at all, or JSON of the wrong shape.
public enum EventDecodingError: Error, Sendable, Equatable {
    case syntax(JSONParseError)
    case shape(ModelDecodingError)
}

extension Event {
    /// Decodes events straight from JSON text: an array of events, or a single event object.
    ///
    /// Equivalent to parsing the JSON and calling `Event(json:)` on each element, with the same
    /// rules and messages, but without building intermediate dictionaries for the events
    /// themselves (only their `data` is materialized). This is the bulk-insert hot path. Two
    /// differences: an event with several faults is blamed for the first in document order, and
    /// a fault is reported before a syntax error further on.
    ///
    /// - Throws: `EventDecodingError.syntax` for malformed JSON, `.shape` naming the offending
    ///   event and field (e.g. `[3].timestamp`).
    public static func decodeList(from bytes: UnsafeRawBufferPointer) throws(EventDecodingError) -> [Event] {
        var events: [Event] = []
        try JSONParser.decodeEventList(bytes) { parser throws in
            try parser.parseEvent()
        } each: {
            events.append($0)
        }
        return events
    }
}

extension EncodedEvent {
    /// Decodes events straight from JSON text like `Event.decodeList(from:)`, keeping each
    /// event's data as canonical JSON text instead of a dictionary (the bulk-insert path).
    ///
    /// - Throws: `EventDecodingError` exactly as `Event.decodeList(from:)` does.
    public static func decodeList(from bytes: UnsafeRawBufferPointer) throws(EventDecodingError) -> [EncodedEvent] {
        var events: [EncodedEvent] = []
        events.reserveCapacity(bytes.count / 128)  // a window event takes about 120 bytes
        try JSONParser.decodeEventList(bytes) { parser throws in
            try parser.parseEncodedEvent()
        } each: {
            events.append($0)
        }
        return events
    }

    /// Decodes events like `decodeList(from:)`, handing them to `deliver` in batches of
    /// `batchSize` (the last one may be smaller) as they are read, so that storing them can begin
    /// before the whole body is read. Batches delivered before a fault stay delivered: the
    /// receiver must drop them when this throws.
    ///
    /// - Throws: `EventDecodingError` exactly as `decodeList(from:)` does.
    public static func decodeList(
        from bytes: UnsafeRawBufferPointer, batchSize: Int, deliver: ([EncodedEvent]) -> Void
    ) throws(EventDecodingError) {
        var batch: [EncodedEvent] = []
        batch.reserveCapacity(batchSize)
        try JSONParser.decodeEventList(bytes) { parser throws in
            try parser.parseEncodedEvent()
        } each: { event in
            batch.append(event)
            if batch.count == batchSize {
                deliver(batch)
                batch = []
                batch.reserveCapacity(batchSize)
            }
        }
        if !batch.isEmpty { deliver(batch) }
    }
}

extension JSONParser {
    /// An array of events (or a single event object), each read by `element` and handed to
    /// `each` in order.
    static func decodeEventList<Element>(
        _ bytes: UnsafeRawBufferPointer, element: (inout JSONParser) throws -> Element, each: (Element) -> Void
    ) throws(EventDecodingError) {
        try decodeDocument(bytes) { parser throws in
            if parser.bytes[parser.index] == UInt8(ascii: "{") { return each(try element(&parser)) }
            guard parser.bytes[parser.index] == UInt8(ascii: "[") else {
                let value = try parser.parseValue()
                throw ModelDecodingError(
                    field: "", reason: "expected a JSON array of events, got \(value.kindDescription)")
            }
            guard try parser.openContainer(closing: UInt8(ascii: "]")) else { return }
            var position = 0
            repeat {
                do {
                    each(try element(&parser))
                } catch let error as ModelDecodingError {
                    throw error.nested(under: "[\(position)]")
                }
                position += 1
            } while try parser.moreElements(closing: UInt8(ascii: "]"))
        }
    }

    /// Runs `body` on a whole document (at its first non-blank byte), requiring that nothing
    /// but blanks follows, and sorts its errors into syntax and shape errors.
    static func decodeDocument<T>(
        _ bytes: UnsafeRawBufferPointer, _ body: (inout JSONParser) throws -> T
    ) throws(EventDecodingError) -> T {
        var parser = JSONParser(bytes: bytes)
        do {
            parser.skipWhitespace()
            guard parser.index < bytes.count else { throw JSONParseError(reason: "the document is empty", offset: 0) }
            let result = try body(&parser)
            parser.skipWhitespace()
            if parser.index < bytes.count {
                throw parser.fail("unexpected \(parser.describeCurrent()) after the JSON value")
            }
            return result
        } catch let error as JSONParseError {
            throw .syntax(error)
        } catch let error as ModelDecodingError {
            throw .shape(error)
        } catch {
            throw .syntax(JSONParseError(reason: "\(error)", offset: parser.index))
        }
    }
}

extension Event {
    /// Decodes a single event object straight from JSON text (see `decodeList(from:)`).
    ///
    /// - Throws: `EventDecodingError` as `decodeList(from:)` does; an array is a shape error.
    public static func decode(from bytes: UnsafeRawBufferPointer) throws(EventDecodingError) -> Event {
        try JSONParser.decodeDocument(bytes) { parser throws in try parser.parseEvent() }
    }
}

extension JSONParser {
    /// Parses one event object, validating fields as `Event(json:)` does.
    mutating func parseEvent() throws -> Event {
        let fields = try parseEventFields(emptyData: [String: JSON]()) { parser throws -> [String: JSON] in
            let value = try parser.parseValue()
            switch value {
            case .object(let members): return members
            case .null: return [:]
            default: throw ModelDecodingError.wrongType("data", expected: "an object", got: value)
            }
        }
        return Event(
            id: fields.id, timestamp: fields.timestamp, durationNanoseconds: fields.duration, data: fields.data)
    }

    /// Parses one event object keeping its data as canonical JSON text.
    mutating func parseEncodedEvent() throws -> EncodedEvent {
        let fields = try parseEventFields(emptyData: Array("{}".utf8)) { parser throws -> [UInt8] in
            guard parser.index < parser.bytes.count else {
                throw parser.fail("unexpected end of input, expected a value")
            }
            switch parser.bytes[parser.index] {
            case UInt8(ascii: "{"):
                var writer = JSONWriter(capacity: 96)
                try parser.writeCanonicalObject(to: &writer)
                return writer.bytes
            default:
                let value = try parser.parseValue()
                if value.isNull { return Array("{}".utf8) }
                throw ModelDecodingError.wrongType("data", expected: "an object", got: value)
            }
        }
        return EncodedEvent(
            id: fields.id, timestamp: fields.timestamp, durationNanoseconds: fields.duration, dataJSON: fields.data)
    }

    /// The fields of an event object; `readData` reads the value of `data`.
    mutating func parseEventFields<Data>(
        emptyData: Data,
        readData: (inout JSONParser) throws -> Data
    ) throws -> (id: Int64?, timestamp: Timestamp, duration: Int64, data: Data) {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            let value = try parseValue()
            throw ModelDecodingError(field: "", reason: "an event must be a JSON object, got \(value.kindDescription)")
        }
        try enterContainer()
        defer { depth -= 1 }
        var id: Int64?
        var timestamp: Timestamp?
        var duration: Int64 = 0
        var data = emptyData
        // As in a parsed object, the last of duplicate keys counts: a field's fault is held until
        // the object ends, and a later valid occurrence of the same key clears it.
        var faults: [EventField: (position: Int, error: ModelDecodingError)] = [:]
        var position = 0
        guard try openContainer(closing: UInt8(ascii: "}")) else { throw ModelDecodingError.missing("timestamp") }
        repeat {
            let key = try parseEventFieldKey()
            do {
                switch key {
                case .timestamp:
                    timestamp = try parseTimestampField()
                case .duration:
                    let value = try parseValue()
                    duration = try Event.durationNanoseconds(from: value.isNull ? JSON?.none : value)
                case .data:
                    data = try readData(&self)
                case .id:
                    let value = try parseValue()
                    id = try Event.id(from: value.isNull ? JSON?.none : value)
                case .other:
                    _ = try parseValue()
                }
                if !faults.isEmpty { faults[key] = nil }
            } catch let fault as ModelDecodingError {
                faults[key] = (position, fault)
            }
            position += 1
        } while try moreElements(closing: UInt8(ascii: "}"))
        if let first = faults.values.min(by: { $0.position < $1.position }) { throw first.error }
        guard let timestamp else { throw ModelDecodingError.missing("timestamp") }
        return (id, timestamp, duration, data)
    }

    /// The fields of an event object that decoding reads; any other key is skipped.
    enum EventField: Hashable {
        case timestamp, duration, data, id, other

        /// The field a key's UTF-8 text names.
        init(name: UnsafeRawBufferPointer) {
            func isNamed(_ field: StaticString) -> Bool {
                name.count == field.utf8CodeUnitCount
                    && memcmp(name.baseAddress!, field.utf8Start, name.count) == 0
            }
            if isNamed("timestamp") {
                self = .timestamp
            } else if isNamed("data") {
                self = .data
            } else if isNamed("duration") {
                self = .duration
            } else if isNamed("id") {
                self = .id
            } else {
                self = .other
            }
        }
    }

    /// Reads an event member's key and the colon after it (like `parseMemberKey`), without making
    /// a string of a plainly written key.
    mutating func parseEventFieldKey() throws(JSONParseError) -> EventField {
        try startMemberKey()
        let field: EventField
        if let key = scanPlainString() {
            field = EventField(name: UnsafeRawBufferPointer(rebasing: bytes[key]))
        } else {
            field = Array(try parseString().utf8).withUnsafeBytes { EventField(name: $0) }
        }
        try endMemberKey()
        return field
    }

    /// Reads the `timestamp` value, straight from the bytes when it has no escapes.
    mutating func parseTimestampField() throws -> Timestamp? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            let value = try parseValue()
            if value.isNull { return nil }
            throw ModelDecodingError.wrongType("timestamp", expected: "a string", got: value)
        }
        let start = index + 1
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: "\"") && bytes[end] != UInt8(ascii: "\\")
            && bytes[end] >= 0x20
        {
            end += 1
        }
        let text: String
        if end < bytes.count && bytes[end] == UInt8(ascii: "\"") {
            let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            var reader = TimestampReader(bytes: slice.assumingMemoryBound(to: UInt8.self))
            if let nanoseconds = try? reader.read() {
                index = end + 1
                return Timestamp(nanoseconds: nanoseconds)
            }
            text = try parseString()
        } else {
            text = try parseString()
        }
        do {
            return try Timestamp(rfc3339: text)
        } catch {
            throw ModelDecodingError(field: "timestamp", reason: "is not a valid timestamp: \(error.description)")
        }
    }
}
