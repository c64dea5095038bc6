extension Event {
    /// Decodes an event as ActivityWatch clients send it:
    /// `{"id"?: int, "timestamp": RFC 3339, "duration"?: seconds, "data"?: object}`.
    ///
    /// `duration` defaults to 0 and `data` to `{}`; `null` counts as absent. A timestamp without
    /// a UTC offset is taken as UTC.
    ///
    /// - Throws: `ModelDecodingError` naming the offending field.
    public init(json: JSON) throws(ModelDecodingError) {
        let reader = try ObjectReader(json, what: "an event")
        self.init(
            id: try Self.id(from: reader.optional("id")),
            timestamp: try reader.timestamp("timestamp"),
            durationNanoseconds: try Self.durationNanoseconds(from: reader.optional("duration")),
            data: try reader.optionalObject("data") ?? [:]
        )
    }

    /// The `id` field: an integer, or absent.
    static func id(from value: JSON?) throws(ModelDecodingError) -> Int64? {
        guard let value else { return nil }
        guard case .int(let number) = value else { throw .wrongType("id", expected: "an integer", got: value) }
        return number
    }

    /// The `duration` field in nanoseconds: a non-negative number of seconds, 0 when absent.
    static func durationNanoseconds(from value: JSON?) throws(ModelDecodingError) -> Int64 {
        guard let value else { return 0 }
        guard let seconds = value.doubleValue else {
            throw .wrongType("duration", expected: "a number of seconds", got: value)
        }
        guard seconds >= 0 else {
            throw ModelDecodingError(field: "duration", reason: "must not be negative, got \(seconds)")
        }
        guard seconds < 9e9 else {
            throw ModelDecodingError(field: "duration", reason: "is too large (\(seconds) seconds)")
        }
        return nanoseconds(fromSeconds: value)
    }

    /// Seconds as sent in JSON to whole nanoseconds: exact for integers, rounded to the nearest
    /// nanosecond for fractions (so `2.123456789` is 2123456789 ns, not one short).
    static func nanoseconds(fromSeconds value: JSON) -> Int64 {
        switch value {
        case .int(let seconds): return seconds * 1_000_000_000
        case .double(let seconds): return Int64((seconds * 1e9).rounded())
        default: return 0
        }
    }

    /// Decodes a JSON array of events.
    ///
    /// - Throws: `ModelDecodingError` with the index of the first bad event, e.g. `[3].timestamp`.
    public static func array(json: JSON) throws(ModelDecodingError) -> [Event] {
        guard case .array(let elements) = json else {
            throw ModelDecodingError(field: "", reason: "expected a JSON array of events, got \(json.kindDescription)")
        }
        var events: [Event] = []
        events.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do {
                events.append(try Event(json: element))
            } catch {
                throw error.nested(under: "[\(index)]")
            }
        }
        return events
    }

    /// The event as a JSON object (serialized with sorted keys, as query results are).
    public var json: JSON {
        .object([
            "id": id.map { .int($0) } ?? .null,
            "timestamp": .string(timestamp.rfc3339),
            "duration": .double(durationSeconds),
            "data": .object(data),
        ])
    }

    /// Writes `{"id":…,"timestamp":…,"duration":…,"data":{…}}` (keys of `data` sorted).
    public func write(to writer: inout JSONWriter) {
        writer.writeRaw("{\"id\":")
        if let id { writer.write(id) } else { writer.writeRaw("null") }
        Self.writeFields(timestamp: timestamp, durationNanoseconds: durationNanoseconds, to: &writer)
        writer.write(data)
        writer.writeByte(UInt8(ascii: "}"))
    }

    /// Writes `,"timestamp":"…","duration":…,"data":` (the caller writes the data object and `}`).
    public static func writeFields(timestamp: Timestamp, durationNanoseconds: Int64, to writer: inout JSONWriter) {
        writer.writeRaw(",\"timestamp\":\"")
        timestamp.writeRFC3339(into: &writer.bytes)
        writer.writeRaw("\",\"duration\":")
        writer.writeSeconds(nanoseconds: durationNanoseconds)
        writer.writeRaw(",\"data\":")
    }
}
