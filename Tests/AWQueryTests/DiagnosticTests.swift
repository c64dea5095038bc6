import AWCore
import Testing

@testable import AWQuery

@Suite("query2 errors: messages and positions")
struct DiagnosticTests {
    static let cases: [(String, String, Int, Int)] = [
        ("return @;", "unexpected character '@'", 1, 8),
        ("x = 'a';", "unexpected character '''", 1, 5),
        ("return \"abc;", "unterminated string", 1, 8),
        ("return 1", "expected ';' after the statement, found the end of the query", 1, 9),
        ("return -1;", "expected an expression, found '-'", 1, 8),
        ("x = 1;\ny = [1, 2,];", "expected an expression after ','", 2, 11),
        ("return {a: 1};", "expected a string key in the dictionary", 1, 9),
        ("if 1 == 1 return 1;", "expected '{' to start the block", 1, 11),
        ("else { }", "'else' without a preceding 'if'", 1, 1),
        ("x = 1;", "the query never sets RETURN", 0, 0),
        ("", "the query never sets RETURN", 0, 0),
        ("events = [];\nreturn flod(events);", "unknown function 'flod'", 2, 8),
        ("return undefined_var;", "unknown variable 'undefined_var'", 1, 8),
        ("return nosuch(undefined);", "unknown variable 'undefined'", 1, 15),
        ("flood = 1; return flood([]);", "'flood' is not a function, it is a number", 1, 19),
        ("return flood([], 1, 2);", "'flood' takes 1 to 2 arguments, got 3", 1, 8),
        ("return query_bucket();", "'query_bucket' takes 1 argument, got 0", 1, 8),
        (
            "return sort_by_duration(666);",
            "argument 1 of 'sort_by_duration' must be a list of events, got a number (666)", 1, 25
        ),
        ("return sort_by_duration([1]);", "must be a list of events, but it contains a number", 1, 25),
        ("return merge_events_by_keys([], [1]);", "must be a list of strings", 1, 33),
        ("return filter_keyvals_regex([], \"app\", \"(\");", "invalid regular expression '('", 1, 40),
        (
            "return categorize([], [[[\"Work\"], {\"regex\": \"x\"}]]);",
            "rule 1 is invalid: rule does not have a type", 1, 23
        ),
        ("return query_bucket(\"missing\");", "bucket 'missing' does not exist", 1, 21),
        ("return find_bucket(\"aw-watcher-none\");", "no bucket matches the prefix 'aw-watcher-none'", 1, 20),
        ("TIMEINTERVAL = \"bad\"; return query_bucket(\"x\");", "TIMEINTERVAL 'bad' is not a valid time period", 1, 30),
        ("return 1 + \"a\";", "cannot add a string to a number", 1, 10),
        ("return true == 1;", "cannot compare a boolean with a number", 1, 13),
        ("return \"a\" - 1;", "'-' needs two numbers", 1, 12),
        ("return 1 / 0;", "division by zero", 1, 10),
        ("if 1 { return 1; }", "the condition must be true or false, but it is a number", 1, 4),
        ("return flood;", "the result contains the function 'flood'", 0, 0),
    ]

    @Test("every kind of mistake gets a message and its line and column", arguments: cases)
    func diagnostics(source: String, message: String, line: Int, column: Int) async throws {
        let error = try #require(await QueryRunner().failure(source))
        #expect(error.message.contains(message), "\(error.message)")
        if line > 0 {
            #expect(error.location?.line == line)
            #expect(error.location?.column == column)
        }
        #expect(error.kind != .internal)
    }

    @Test("the diagnostic quotes the line with a caret and a hint")
    func rendering() async throws {
        let source = "events = [];\nevents = flod(events);\nRETURN = events;"
        let error = try #require(await QueryRunner().failure(source))
        #expect(
            error.diagnostic(source: source) == """
                error: unknown function 'flod'
                 --> query:2:10
                  |
                2 | events = flod(events);
                  |          ^
                  = help: did you mean 'flood'?
                """)
    }

    @Test("a query with Windows line ends (CRLF) gets its line quoted")
    func windowsLineEnds() async throws {
        let source = "events = [];\r\nevents = flod(events);\r\nRETURN = events;"
        let error = try #require(await QueryRunner().failure(source))
        #expect(error.location?.line == 2)
        #expect(error.diagnostic(source: source).contains("2 | events = flod(events);\n  |          ^"))
    }

    @Test("columns count characters, not bytes")
    func unicodeColumns() async throws {
        let error = try #require(await QueryRunner().failure("x = \"ääää\"; @"))
        #expect(error.location?.column == 13)
    }
}
