import Testing

@testable import AWCore

@Suite("Event and bucket JSON")
struct EventTests {
    @Test("an event decodes with defaults and encodes in aw-server's field order")
    func eventRoundTrip() throws {
        let event = try Event(json: JSON.parse(#"{"timestamp":"2018-01-01T01:01:01.5+01:00","data":{"b":1,"a":"x"}}"#))
        #expect(event.id == nil)
        #expect(event.durationNanoseconds == 0)
        var writer = JSONWriter()
        event.write(to: &writer)
        #expect(
            writer.string
                == #"{"id":null,"timestamp":"2018-01-01T00:01:01.500Z","duration":0.0,"data":{"a":"x","b":1}}"#)
    }

    @Test(
        "durations keep nanosecond precision",
        arguments: [
            ("1", 1_000_000_000), ("2.123456789", 2_123_456_789), ("0.000000001", 1), ("1.5", 1_500_000_000), ("0", 0),
        ])
    func durations(text: String, nanoseconds: Int64) throws {
        let event = try Event(json: JSON.parse(#"{"timestamp":"2018-01-01T00:00:00Z","duration":\#(text)}"#))
        #expect(event.durationNanoseconds == nanoseconds)
        var writer = JSONWriter()
        event.write(to: &writer)
        let reparsed = try Event(json: JSON.parse(writer.string))
        #expect(reparsed.durationNanoseconds == nanoseconds)
    }

    @Test("null data and null duration count as absent")
    func nullFields() throws {
        let event = try Event(
            json: JSON.parse(#"{"id":null,"timestamp":"2018-01-01T00:00:00Z","duration":null,"data":null}"#))
        #expect(event.data.isEmpty)
        #expect(event.durationNanoseconds == 0)
    }

    @Test(
        "bad events name the field",
        arguments: [
            (#"{"duration":1}"#, "field 'timestamp' is required"),
            (#"{"timestamp":5}"#, "field 'timestamp' must be a string, got a number"),
            (#"{"timestamp":"soon"}"#, "field 'timestamp' is not a valid timestamp"),
            (#"{"timestamp":"2018-01-01T00:00:00Z","duration":"1"}"#, "field 'duration' must be a number of seconds"),
            (#"{"timestamp":"2018-01-01T00:00:00Z","duration":-1}"#, "field 'duration' must not be negative"),
            (#"{"timestamp":"2018-01-01T00:00:00Z","data":[]}"#, "field 'data' must be an object, got an array"),
            (#"{"timestamp":"2018-01-01T00:00:00Z","id":"7"}"#, "field 'id' must be an integer"),
            ("[]", "an event must be a JSON object"),
        ])
    func badEvents(input: String, message: String) throws {
        let json = try JSON.parse(input)
        #expect {
            try Event(json: json)
        } throws: { error in
            (error as? ModelDecodingError)?.description.contains(message) == true
        }
    }

    @Test("an array of events reports the index of the bad one")
    func arrayErrors() throws {
        let json = try JSON.parse(#"[{"timestamp":"2018-01-01T00:00:00Z"},{"timestamp":"x"}]"#)
        #expect {
            try Event.array(json: json)
        } throws: { error in
            (error as? ModelDecodingError)?.field == "[1].timestamp"
        }
    }

    @Test("a bucket needs type, client and hostname; the path id wins")
    func bucketDecoding() throws {
        let bucket = try Bucket(
            json: JSON.parse(
                #"{"id":"ignored","type":"t","client":"c","hostname":"h","created":"2020-01-01T00:00:00Z","name":"x"}"#),
            idOverride: "real")
        #expect(bucket.id == "real")
        #expect(bucket.created == (try Timestamp(rfc3339: "2020-01-01T00:00:00Z")))
        #expect {
            try Bucket(json: JSON.parse(#"{"type":"t","client":"c"}"#), idOverride: "x")
        } throws: { error in
            (error as? ModelDecodingError)?.description == "field 'hostname' is required"
        }
    }

    @Test("a bucket encodes with metadata and last_updated")
    func bucketEncoding() throws {
        var bucket = Bucket(id: "b", type: "t", client: "c", hostname: "h", created: Timestamp(nanoseconds: 0))
        var writer = JSONWriter()
        bucket.write(to: &writer)
        #expect(
            writer.string
                == #"{"id":"b","type":"t","client":"c","hostname":"h","created":"1970-01-01T00:00:00Z","data":{},"metadata":{"start":null,"end":null},"last_updated":null,"events":null}"#
        )
        bucket.metadata = BucketMetadata(
            start: Timestamp(nanoseconds: 1_000_000_000), end: Timestamp(nanoseconds: 2_000_000_000))
        writer = JSONWriter()
        bucket.write(to: &writer)
        #expect(
            writer.string.contains(
                #""metadata":{"start":"1970-01-01T00:00:01Z","end":"1970-01-01T00:00:02Z"},"last_updated":"1970-01-01T00:00:02Z""#
            ))
    }

    @Test("a time period reads start/end and refuses other forms")
    func timePeriods() throws {
        let period = try TimePeriod(parsing: "2024-01-01T00:00:00+01:00/2024-01-02T00:00:00Z")
        #expect(period.description == "2023-12-31T23:00:00Z/2024-01-02T00:00:00Z")
        #expect(throws: ModelDecodingError.self) { try TimePeriod(parsing: "2024-01-01T00:00:00Z") }
        #expect(throws: ModelDecodingError.self) { try TimePeriod(parsing: "2024-01-01T00:00:00Z/never") }
    }
}

@Suite("Decoding events straight from request bytes")
struct EventByteDecodingTests {
    static let bodies = [
        #"[{"timestamp":"2018-01-01T01:01:01Z","duration":1.5,"data":{"a":[1,{"b":null}]},"id":3}]"#,
        #"[{"data":{"x":"\u00e9"},"timestamp":"2018-01-01T01:01:01.123456789+02:00","extra":[1,2]}]"#,
        #"[{"timestamp":"2018-01-01\u0054\u00301:01:01Z"}]"#,
        #"[{"timestamp":"2018-01-01T01:01:01Z","duration":null,"data":null,"id":null}]"#,
        #" [ ] "#,
        #"[{"timestamp":"2018-01-01T01:01:01Z"},{"duration":1}]"#,
        #"[{"timestamp":"2018-02-30T01:01:01Z"}]"#,
        #"[{"timestamp":7}]"#,
        #"[{"timestamp":"2018-01-01T01:01:01Z","duration":-2}]"#,
        #"[{"timestamp":"2018-01-01T01:01:01Z","data":"x"}]"#,
        #"[{"timestamp":"2018-01-01T01:01:01Z","id":1.5}]"#,
        #"[5]"#,
        #"{}"#,
        #""text""#,
        // Keys written with escapes, data keys out of order at several depths, duplicate keys:
        // the data's canonical text must come out the same whichever way each object is read.
        #"[{"time\u0073tamp":"2018-01-01T01:01:01Z","d\u0061ta":{"b":1,"a":{"d":{"f":1,"e":2},"c":0}},"duration":2}]"#,
        #"[{"timestamp":"bad","timestamp":"2018-01-01T01:01:01Z","data":{"a\u0062":1,"aa":2,"a":{"z":[{"y":1,"x":2}]}}}]"#,
        #"[{"timestamp":"2018-01-01T01:01:01Z","data":{"a":1,"a":2,"b":{"é":1,"e":2,"é":3}}}]"#,
        #"[{"timestamp":"2018-01-01T01:01:01Z","data":{"a":{"b":{"c":{"e":1,"d":{"g":2,"f":3}}}}}}]"#,
        #"[{"timestamp":"2018-01-01T01:01:01Z","data":{"b":1,"a":[1,]}}]"#,
        #"[{"timestamp":"2018-01-01T01:01:01Z","data":{"a":1,"b":{"x":1}"c":2}}]"#,
    ]

    @Test("decodeList gives exactly what parsing and Event(json:) give, errors included", arguments: bodies)
    func agreesWithTheModel(body: String) throws {
        var text = body
        let fast = text.withUTF8 { bytes in
            Result { () throws(EventDecodingError) -> [Event] in
                try Event.decodeList(from: UnsafeRawBufferPointer(bytes))
            }
        }
        let slow = Result { () throws -> [Event] in
            let json = try JSON.parse(body)
            if json.objectValue != nil { return [try Event(json: json)] }
            return try Event.array(json: json)
        }
        let encoded = text.withUTF8 { bytes in
            Result { () throws(EventDecodingError) -> [EncodedEvent] in
                try EncodedEvent.decodeList(from: UnsafeRawBufferPointer(bytes))
            }
        }
        switch (encoded, fast) {
        case (.success(let a), .success(let b)):
            #expect(a == b.map(EncodedEvent.init))
        case (.failure(let a), .failure(let b)):
            #expect(a == b)
        default:
            Issue.record("encoded and dictionary decoding differ for \(body)")
        }
        switch (fast, slow) {
        case (.success(let a), .success(let b)):
            #expect(a == b)
        case (.failure(.shape(let a)), .failure(let b as ModelDecodingError)):
            #expect(a.field == b.field && a.reason == b.reason)
        case (.failure(.syntax(let a)), .failure(let b as JSONParseError)):
            #expect(a == b)
        default:
            Issue.record("different outcomes for \(body): \(fast) vs \(slow)")
        }
    }

    @Test("syntax errors are reported as such")
    func syntax() {
        var text = #"[{"timestamp":"2018-01-01T01:01:01Z",}]"#
        let result = text.withUTF8 { bytes in
            Result { () throws(EventDecodingError) -> [Event] in
                try Event.decodeList(from: UnsafeRawBufferPointer(bytes))
            }
        }
        guard case .failure(.syntax(let error)) = result else {
            Issue.record("expected a syntax error, got \(result)")
            return
        }
        #expect(error.reason.contains("expected a string key"))
    }
}
