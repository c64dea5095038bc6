import AWCore
import Testing

@testable import AWQuery

/// The limits that keep any query text from crashing or stalling the server: nesting depth,
/// operator chains, value depth, huge names and lines, time, and events read.
@Suite("query2 nesting, time and event limits")
struct QueryLimitTests {
    /// `count` levels of one construct around `1`, as a whole query.
    static func nested(_ construct: String, _ count: Int) -> String {
        let (open, close): (String, String) =
            switch construct {
            case "parentheses": ("(", ")")
            case "lists": ("[", "]")
            case "dictionaries": ("{\"k\": ", "}")
            case "calls": ("sort_by_duration(", ")")
            default: ("if true { ", " }")
            }
        if construct == "if blocks" {
            return String(repeating: open, count: count) + "RETURN = 1;" + String(repeating: close, count: count)
        }
        return "RETURN = " + String(repeating: open, count: count) + "1" + String(repeating: close, count: count) + ";"
    }

    static let constructs = ["parentheses", "lists", "dictionaries", "calls", "if blocks"]

    /// The byte offset of the `occurrence`th `character` (ASCII) in `text`.
    static func offset(ofOccurrence occurrence: Int, of character: Character, in text: String) -> Int? {
        var seen = 0
        for (offset, byte) in text.utf8.enumerated() where byte == character.asciiValue {
            seen += 1
            if seen == occurrence { return offset }
        }
        return nil
    }

    @Test("nesting past 100 levels is a syntax error at the first level too many, however deep", arguments: constructs)
    func deepNesting(construct: String) async throws {
        let runner = try QueryRunner()
        for depth in [101, 5_000, 100_000] {
            let source = Self.nested(construct, depth)
            let error = try #require(await runner.failure(source), "\(construct) \(depth) deep")
            #expect(error.kind == .syntax)
            #expect(error.message == "the query nests deeper than 100 levels here")
            // The offending bracket is the 101st opening one.
            let bracket: Character =
                construct == "lists" ? "[" : ["dictionaries", "if blocks"].contains(construct) ? "{" : "("
            let offset = try #require(Self.offset(ofOccurrence: 101, of: bracket, in: source))
            #expect(error.location?.line == 1)
            #expect(error.location?.column == offset + 1, "\(construct) \(depth) deep")
            #expect(error.diagnostic(source: source).count < 1_000, "the quoted line is cut around the column")
        }
    }

    @Test("100 levels of nesting still work")
    func deepestAllowed() async throws {
        let runner = try QueryRunner()
        #expect(try await runner.run(Self.nested("parentheses", 100)) == "1.0")
        #expect(try await runner.run(Self.nested("if blocks", 100)) == "1.0")
        let lists = try await runner.run(Self.nested("lists", 100))
        #expect(lists == String(repeating: "[", count: 100) + "1.0" + String(repeating: "]", count: 100))
    }

    @Test("an operator chain of any length is evaluated without recursion, in time proportional to its length")
    func longChains() async throws {
        let runner = try QueryRunner()
        #expect(try await runner.run("RETURN = 1" + String(repeating: " + 1", count: 200_000) + ";") == "200001.0")
        let list = try await runner.run("RETURN = [1]" + String(repeating: " + [1]", count: 100_000) + ";")
        #expect(list.split(separator: ",").count == 100_001)
        let text = try await runner.run("RETURN = \"\"" + String(repeating: " + \"ab\"", count: 100_000) + ";")
        #expect(text.count == 200_002)
        let error = try #require(
            await runner.failure("RETURN = 1" + String(repeating: " + 1", count: 1000) + " + [1];"))
        #expect(error.message.contains("cannot add a list to a number"))
        #expect(error.location?.column == 10 + 4 * 1000 + 2)
    }

    @Test("a value built statement by statement may not nest past 100 levels")
    func deepValues() async throws {
        let runner = try QueryRunner()
        let source = "a = 1;\n" + String(repeating: "a = [a];\n", count: 100_000) + "RETURN = a;"
        let error = try #require(await runner.failure(source))
        #expect(error.message.contains("nest deeper than a query may build (100 levels)"))
        #expect(error.location?.line == 102, "the 100th wrapping (line 101) is the deepest allowed")
        let fine = "a = 1;\n" + String(repeating: "a = [a];\n", count: 99) + "RETURN = a;"
        #expect(try await runner.run(fine).hasPrefix(String(repeating: "[", count: 99) + "1.0"))
    }

    @Test("megabyte names and strings: quick answers, short messages")
    func hugeNamesAndStrings() async throws {
        let runner = try QueryRunner()
        let name = String(repeating: "y", count: 1 << 20)
        let clock = ContinuousClock()
        let started = clock.now
        let error = try #require(await runner.failure("RETURN = \(name);"))
        #expect(error.message.hasPrefix("unknown variable 'yyy"))
        #expect(error.message.count <= QueryError.maximumMessageLength + 1)
        #expect(error.hint == nil, "no suggestion is searched for a name that long")
        #expect(clock.now - started < .seconds(20))
        let string = String(repeating: "x", count: 10 << 20)
        #expect(try await runner.run("RETURN = \"\(string)\";").count == string.count + 2)
        let unknown = try #require(await runner.failure("RETURN = \"\(string)\" + missing;"))
        let diagnostic = unknown.diagnostic(source: "RETURN = \"\(string)\" + missing;")
        #expect(diagnostic.count < 1_000)
        #expect(diagnostic.contains("1 | …xxx"), "\(diagnostic)")
        #expect(diagnostic.contains("xxx\" + missing;\n"), "\(diagnostic)")
        let caretLine = try #require(diagnostic.split(separator: "\n").first { $0.hasSuffix("^") })
        let quoted = try #require(diagnostic.split(separator: "\n").first { $0.hasSuffix("missing;") })
        #expect(caretLine.count == quoted.count - "missing;".count + 1, "the caret is under 'missing'")
    }

    @Test("a query running past its time limit is stopped and answers an error naming the limit")
    func timeout() async throws {
        let runner = try QueryRunner()
        let slow = "a = [];\n" + String(repeating: "a = a + [1];\n", count: 200_000) + "RETURN = a;"
        let clock = ContinuousClock()
        let started = clock.now
        let error = try #require(await runner.failure(slow, limits: QueryLimits(timeout: .milliseconds(300))))
        #expect(clock.now - started < .seconds(10))
        #expect(error.message == "the query ran longer than its time limit of 0.3 s and was stopped")
        #expect(error.hint?.contains("query_timeout") == true)
        #expect(try await runner.run("RETURN = 1;") == "1.0", "the runner is free for the next query")
    }

    @Test("a query may read only so many events in one period, summed over its reads")
    func eventBudget() async throws {
        let runner = try QueryRunner()
        try await runner.bucket("w", events: (0..<20).map { event(Double($0) / 4, minutes: 1, ["app": "a"]) })
        let limits = QueryLimits(maximumEvents: 30)
        #expect(try await runner.run("RETURN = query_bucket_eventcount(\"w\");", limits: limits) == "20.0")
        let error = try #require(
            await runner.failure("a = query_bucket(\"w\");\nb = query_bucket(\"w\");\nRETURN = a;", limits: limits))
        #expect(error.message.contains("would read more than 30 events"))
        #expect(error.message.contains("bucket 'w'"))
        #expect(error.hint?.contains("query_max_events") == true)
        #expect(error.location?.line == 2)
        #expect(await runner.failure("RETURN = query_bucket(\"w\");", limits: QueryLimits(maximumEvents: 19)) != nil)
        #expect(
            try await runner.run("RETURN = query_bucket_eventcount(\"w\");", limits: QueryLimits(maximumEvents: 20))
                == "20.0")
    }
}
