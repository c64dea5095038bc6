import AWCore
import Testing

@testable import AWQuery

@Suite("query2 language")
struct LanguageTests {
    @Test(
        "values, operators and statements evaluate as in aw-server-rust",
        arguments: [
            ("return 1;", "1.0"),
            ("return 1.;", "1.0"),
            ("return 1.5;", "1.5"),
            ("return true; ", "true"),
            ("return True == true;", "true"),
            ("return False;", "false"),
            ("return 1 + 2 * 3;", "9.0"),
            ("return 10 - 4 - 3;", "3.0"),
            ("return 2.5 % 1;", "0.5"),
            ("return 1 % 0;", "null"),
            ("return 7 / 2;", "3.5"),
            ("return 0 - 1;", "-1.0"),
            ("return 1 == 1.0;", "true"),
            ("return \"a\" == \"a\";", "true"),
            ("return [1, 2] == [1, 2];", "true"),
            ("return {\"a\": 1} == {\"a\": 1};", "true"),
            ("x = print(\"a\"); return x == x;", "false"),
            ("return \"a\" + \"b\";", "\"ab\""),
            ("return [1] + [2];", "[1.0,2.0]"),
            ("return {\"a\": 1, \"a\": 2};", "{\"a\":2.0}"),
            ("return {\"b\": [], \"a\": {}};", "{\"a\":{},\"b\":[]}"),
            ("return print(1);", "[]"),
            ("return 1; RETURN = 2;", "2.0"),
            ("RETURN = \"x\";", "\"x\""),
            ("return \"say \\\"hi\\\"\";", "\"say \\\"hi\\\"\""),
            ("return \"a\\nb\";", "\"a\\\\nb\""),
            ("return \"(?i)^arc(\\\\.exe)?$\";", "\"(?i)^arc(\\\\\\\\.exe)?$\""),
            ("return \"multi\nline\";", "\"multi\\nline\""),
            ("# a comment\nreturn 1; # another\n", "1.0"),
            (";;return 1;;", "1.0"),
            ("returnx = 1; ifx = 2; return returnx + ifx;", "3.0"),
            ("f = flood; return f([]);", "[]"),
            (
                "x = 1; if x == 1 { return \"one\"; } elif x == 2 { return \"two\"; } else { return \"other\"; }",
                "\"one\""
            ),
            (
                "x = 2; if x == 1 { return \"one\"; } elif x == 2 { return \"two\"; } else { return \"other\"; }",
                "\"two\""
            ),
            (
                "x = 3; if x == 1 { return \"one\"; } elif x == 2 { return \"two\"; } else { return \"other\"; }",
                "\"other\""
            ),
            ("if true { if false { return 1; } else { return 2; } }", "2.0"),
            ("return contains([1, 2], 2);", "true"),
            ("return contains({\"a\": 1}, \"b\");", "false"),
            ("return nop();", "1.0"),
            ("return concat();", "[]"),
            ("return TIMEINTERVAL;", "\"2024-01-01T00:00:00+00:00/2024-01-02T00:00:00+00:00\""),
        ])
    func evaluates(source: String, expected: String) async throws {
        #expect(try await QueryRunner().run(source) == expected)
    }

    @Test("each time period gets a fresh environment; results come in period order")
    func periods() async throws {
        let runner = try QueryRunner()
        let query = try Query(source: "if contains(query_bucket_names(), \"x\") { return 0; } return TIMEINTERVAL;")
        let periods = [
            try TimePeriod(parsing: "2024-01-01T00:00:00+01:00/2024-01-02T00:00:00+01:00"),
            try TimePeriod(parsing: "2024-02-01T00:00:00Z/2024-02-02T00:00:00Z"),
        ]
        let bytes = try await query.runAndEncode(periods: periods, dataSource: DatastoreSource(store: runner.store))
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"["2023-12-31T23:00:00+00:00/2024-01-01T23:00:00+00:00","2024-02-01T00:00:00+00:00/2024-02-02T00:00:00+00:00"]"#
        )
    }
}

@Suite("query2 resource limits", .serialized)
struct QuerySizeLimitTests {
    /// `statement` repeated `count` times after `setup`, then `tail`.
    static func doubling(_ setup: String, _ statement: String, times count: Int, _ tail: String) -> String {
        setup + String(repeating: statement, count: count) + tail
    }

    // Lists and events doubled by `+` or concat() meet the same checks, but filling memory up to
    // the limit that way would slow the tests running alongside.
    @Test(
        "a query that doubles a value over and over is refused, naming where, instead of exhausting memory",
        arguments: [
            doubling("a = \"0123456789abcdef\";\n", "a = a + a;\n", times: 40, "RETURN = a;"),
            doubling("a = [1, 1];\n", "a = [a, a];\n", times: 40, "RETURN = a;"),
            doubling("a = {\"x\": 1};\n", "a = {\"l\": a, \"r\": a};\n", times: 40, "RETURN = 1;"),
        ])
    func doublingIsRefused(source: String) async throws {
        let runner = try QueryRunner()
        try await runner.bucket("w", events: [event(1, minutes: 5, ["app": "a"])])
        let error = try #require(await runner.failure(source))
        #expect(error.message.contains("larger than a query may build"))
        #expect(error.kind == .invalid)
        let line = try #require(error.location?.line)
        #expect(line > 20 && line < 30, "refused once past 10 million elements, at line \(line)")
    }

    @Test("big values below the limit still work")
    func belowTheLimit() async throws {
        let source = Self.doubling("a = [1];\n", "a = a + a;\n", times: 16, "RETURN = a;")
        let result = try await QueryRunner().run(source)
        #expect(result.split(separator: ",").count == 65_536)
    }
}
