import Testing

@testable import AWCore

@Suite("RFC 3339 timestamps")
struct TimestampTests {
    @Test(
        "accepted forms and the UTC instant they denote",
        arguments: [
            ("2018-01-01T01:01:01Z", "2018-01-01T01:01:01Z"),
            ("2018-01-01T01:01:01z", "2018-01-01T01:01:01Z"),
            ("2018-01-01t01:01:01+00:00", "2018-01-01T01:01:01Z"),
            ("2018-01-01 01:01:01Z", "2018-01-01T01:01:01Z"),
            ("2018-01-01T01:01:01+01:00", "2018-01-01T00:01:01Z"),
            ("2018-01-01T01:01:01-0530", "2018-01-01T06:31:01Z"),
            ("2018-01-01T01:01:01+02", "2017-12-31T23:01:01Z"),
            ("2018-01-01T01:01:01UTC", "2018-01-01T01:01:01Z"),
            ("2018-01-01T01:01:01", "2018-01-01T01:01:01Z"),
            ("2018-01-01T01:01:01.5Z", "2018-01-01T01:01:01.500Z"),
            ("2018-01-01T01:01:01.123456Z", "2018-01-01T01:01:01.123456Z"),
            ("2018-01-01T01:01:01.123456789Z", "2018-01-01T01:01:01.123456789Z"),
            ("2018-01-01T01:01:01.1234567891234Z", "2018-01-01T01:01:01.123456789Z"),
            ("2018-01-01T01:01:01.1234Z", "2018-01-01T01:01:01.123400Z"),
            ("2018-01-01T01:01:01.000Z", "2018-01-01T01:01:01Z"),
            ("2018-01-01", "2018-01-01T00:00:00Z"),
            ("2020-02-29T23:59:59.999999999+00:00", "2020-02-29T23:59:59.999999999Z"),
            ("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.500Z"),
            ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
            ("2262-04-11T23:47:16Z", "2262-04-11T23:47:16Z"),
        ])
    func parsesAndFormats(input: String, expected: String) throws {
        #expect(try Timestamp(rfc3339: input).rfc3339 == expected)
    }

    @Test("the epoch and nanosecond precision")
    func nanoseconds() throws {
        #expect(try Timestamp(rfc3339: "1970-01-01T00:00:00.000000001Z").nanoseconds == 1)
        #expect(try Timestamp(rfc3339: "1969-12-31T23:59:59.999999999Z").nanoseconds == -1)
        #expect(try Timestamp(rfc3339: "2018-01-01T01:01:01Z").nanoseconds == 1_514_768_461_000_000_000)
    }

    @Test(
        "invalid text names the problem",
        arguments: [
            ("", "empty"),
            ("2018-13-01T00:00:00Z", "month 13"),
            ("2019-02-29T00:00:00Z", "day 29"),
            ("2018-01-01T24:00:00Z", "hour 24"),
            ("2018-01-01T00:60:00Z", "minute 60"),
            ("2018-01-01T00:00Z", "expected ':' after the minute"),
            ("2018-01-01T00:00:00.Z", "digits after the decimal point"),
            ("2018-01-01T00:00:00+25:00", "offset is out of range"),
            ("2018-01-01T00:00:00 garbage", "UTC offset"),
            ("18-01-01T00:00:00Z", "4 digits for the year"),
            ("2263-01-01T00:00:00Z", "1677 to 2262"),
            ("yesterday", "4 digits for the year"),
        ])
    func rejects(input: String, reason: String) {
        #expect {
            try Timestamp(rfc3339: input)
        } throws: { error in
            guard let error = error as? TimestampParseError else { return false }
            return error.reason.contains(reason) && (input.isEmpty || error.description.contains(input))
        }
    }

    @Test("formatting round-trips every fraction length exactly")
    func roundTripsFractions() throws {
        for nanoseconds: Int64 in [0, 1, 10, 999, 1_000, 123_000_000, 123_456_000, 999_999_999, -1, -1_000_000_001] {
            let timestamp = Timestamp(nanoseconds: 1_700_000_000_000_000_000 + nanoseconds)
            #expect(try Timestamp(rfc3339: timestamp.rfc3339) == timestamp)
        }
    }
}
