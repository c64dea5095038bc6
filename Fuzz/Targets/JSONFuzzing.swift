import AWCore

/// JSON documents: `JSON.parse` and `JSON.canonicalText` (which promises exactly
/// `parse(bytes).serialized()` without building a value) must agree, and what the writer
/// writes must read back as the same value.
enum JSONFuzzing {
    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        let parsed = Result { () throws(JSONParseError) in try JSON.parse(input) }
        let canonical = Result { () throws(JSONParseError) in try JSON.canonicalText(input) }
        switch (parsed, canonical) {
        case (.success(let value), .success(let text)):
            let serialized = value.serialized()
            try expect(
                Array(serialized.utf8) == text,
                "canonical text \(String(decoding: text, as: UTF8.self)) differs from the serialized value \(serialized)"
            )
            let reread = Result { () throws(JSONParseError) in try JSON.parse(text) }
            try expect(reread == .success(value), "\(serialized) reads back as \(reread)")
        case (.failure(let parseError), .failure(let canonicalError)):
            try expect(
                parseError == canonicalError, "the parsers reject differently: \(parseError) vs \(canonicalError)")
            try expect(
                parseError.offset >= 0 && parseError.offset <= input.count,
                "error offset \(parseError.offset) outside the \(input.count)-byte document")
        case (.success(let value), .failure(let error)):
            throw FuzzFinding("parse reads \(value.serialized()) but canonicalText rejects it: \(error)")
        case (.failure(let error), .success(let text)):
            throw FuzzFinding(
                "parse rejects (\(error)) but canonicalText writes \(String(decoding: text, as: UTF8.self))")
        }
    }
}

/// Event lists and buckets as clients send them: the streaming decoders (`Event.decodeList`,
/// `EncodedEvent.decodeList`) promise the same events and errors as parsing the JSON and
/// decoding each element; a decoded bucket must survive its own JSON.
enum EventFuzzing {
    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        let streamed = Result { () throws(EventDecodingError) in try Event.decodeList(from: input) }
        let encoded = Result { () throws(EventDecodingError) in try EncodedEvent.decodeList(from: input) }
        let document = Result { () throws(JSONParseError) in try JSON.parse(input) }

        switch document {
        case .failure:
            guard case .failure = streamed, case .failure = encoded else {
                throw FuzzFinding("a document JSON.parse rejects was decoded as events")
            }
        case .success(let json):
            let viaValue = Result { () throws(ModelDecodingError) in
                if case .object = json { return [try Event(json: json)] }
                return try Event.array(json: json)
            }
            switch (viaValue, streamed) {
            case (.success(let expected), .success(let events)):
                try expect(events == expected, "streamed events \(events) differ from \(expected)")
            case (.failure(let expected), .failure(.shape(let error))):
                // Both must blame the same event; when it has several faults, the streamed decoder
                // names the first in document order, Event(json:) the first in its field order.
                try expect(
                    Self.event(of: error) == Self.event(of: expected),
                    "streamed decoding reports \(error), Event(json:) \(expected)")
            default:
                throw FuzzFinding("Event(json:) gives \(viaValue) but the streamed decoder \(streamed)")
            }
            try compare(encoded, with: streamed)
            try checkBucket(json)
        }
    }

    /// The `[n]` a decoding error's field starts with (empty for a single event object).
    static func event(of error: ModelDecodingError) -> Substring {
        error.field.hasPrefix("[") ? error.field.prefix { $0 != "]" } : ""
    }

    /// `EncodedEvent`s carry the same events, their data as canonical text.
    static func compare(
        _ encoded: Result<[EncodedEvent], EventDecodingError>, with streamed: Result<[Event], EventDecodingError>
    ) throws(FuzzFinding) {
        switch (encoded, streamed) {
        case (.success(let encodedEvents), .success(let events)):
            try expect(encodedEvents.count == events.count, "\(encodedEvents.count) encoded vs \(events.count) events")
            for (encodedEvent, event) in zip(encodedEvents, events) {
                try expect(
                    encodedEvent.timestamp == event.timestamp
                        && encodedEvent.durationNanoseconds == event.durationNanoseconds
                        && encodedEvent.dataJSON == Array(JSON.object(event.data).serialized().utf8),
                    "encoded event \(encodedEvent) differs from \(event)")
            }
        case (.failure(let encodedError), .failure(let error)):
            try expect(encodedError == error, "encoded decoding reports \(encodedError), streamed \(error)")
        default:
            throw FuzzFinding("EncodedEvent gives \(encoded) but Event gives \(streamed)")
        }
    }

    /// A bucket read from JSON reads back the same from the JSON it writes.
    static func checkBucket(_ json: JSON) throws(FuzzFinding) {
        guard case .object = json, let bucket = try? Bucket(json: json) else { return }
        let written = bucket.json
        let reread = Result { () throws(ModelDecodingError) in try Bucket(json: written) }
        try expect(reread == .success(bucket), "bucket \(bucket) reads back from \(written.serialized()) as \(reread)")
    }
}
