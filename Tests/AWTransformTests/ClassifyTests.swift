import AWCore
import Testing

@testable import AWTransform

@Suite("Rules, categorize and tag")
struct ClassifyTests {
    func rule(_ json: JSON) throws -> Rule { try Rule(json: json) }

    @Test("a regex rule searches string values; ignore_case; look-ahead; select_keys")
    func rules() throws {
        let data: [String: JSON] = ["app": "Code", "title": "main.swift — Project", "n": 5]
        #expect(try rule(["type": "regex", "regex": "swift"]).matches(data))
        #expect(try !rule(["type": "regex", "regex": "^swift"]).matches(data))
        #expect(try !rule(["type": "regex", "regex": "code"]).matches(data))
        #expect(try rule(["type": "regex", "regex": "code", "ignore_case": true]).matches(data))
        #expect(try rule(["type": "regex", "regex": "main(?=\\.swift)"]).matches(data))
        #expect(try !rule(["type": "regex", "regex": "main(?!\\.swift)"]).matches(data))
        #expect(try !rule(["type": "regex", "regex": "5"]).matches(data))
        #expect(try rule(["type": "regex", "regex": "Project", "select_keys": ["title"]]).matches(data))
        #expect(try !rule(["type": "regex", "regex": "Code", "select_keys": ["title", "missing"]]).matches(data))
        #expect(try rule(["type": "regex", "regex": ""]).matches(data))
        #expect(try !rule(["type": "none"]).matches(data))
        #expect(try rule(["type": "regex", "regex": "\\bmain\\b"]).matches(data))
        #expect(try rule(["type": "regex", "regex": "—"]).matches(data))
    }

    static let malformed: [(JSON, String)] = [
        ([:], "rule does not have a type"),
        (["type": 1], "rule type is not a string"),
        (["type": "glob"], "Unknown rule type 'glob'"),
        (["type": "regex"], "missing the 'regex' field"),
        (["type": "regex", "regex": 1], "regex field of the regex rule is not a string"),
        (["type": "regex", "regex": "x", "ignore_case": "yes"], "ignore_case field"),
        (["type": "regex", "regex": "x", "select_keys": "app"], "select_keys field of the regex rule is not a list"),
        (["type": "regex", "regex": "x", "select_keys": [1]], "must contain only strings"),
        (["type": "regex", "regex": "x", "select_keys": []], "must not be empty"),
        (["type": "regex", "regex": "(unclosed"], "invalid regular expression '(unclosed'"),
    ]

    @Test("malformed rules name the problem", arguments: malformed)
    func invalid(json: JSON, message: String) {
        #expect {
            try Rule(json: json)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test("categorize: the deepest match wins, later rules win ties, unmatched is Uncategorized, [] never wins")
    func categorize() throws {
        let rules: [(category: [String], rule: Rule)] = [
            (["Work"], try rule(["type": "regex", "regex": "Code|Terminal"])),
            (["Work", "Programming"], try rule(["type": "regex", "regex": "Code"])),
            (["Media"], try rule(["type": "regex", "regex": "Code"])),
            (["Comms"], try rule(["type": "regex", "regex": "Terminal"])),
            ([], try rule(["type": "regex", "regex": "Slack"])),
        ]
        let events = try Transform.categorize(
            [
                T.e(0, 1, ["app": "Code"]), T.e(1, 1, ["app": "Terminal"]), T.e(2, 1, ["app": "Slack"]),
                T.e(3, 1, ["app": "Code"]),
                T.e(4, 1, ["app": "x", "$category": ["Old"]]),
            ], rules: rules)
        #expect(
            events.map { $0.data["$category"] } == [
                ["Work", "Programming"], ["Comms"], ["Uncategorized"], ["Work", "Programming"], ["Uncategorized"],
            ])
    }

    @Test("tag: every matching rule's name, sorted, once")
    func tag() throws {
        let rules: [(tag: String, rule: Rule)] = [
            ("zeta", try rule(["type": "regex", "regex": "a"])), ("alpha", try rule(["type": "regex", "regex": "b"])),
            ("zeta", try rule(["type": "regex", "regex": "b"])), ("none", try rule(["type": "regex", "regex": "q"])),
        ]
        let events = try Transform.tag([T.e(0, 1, ["app": "ab"]), T.e(1, 1, ["app": "x"])], rules: rules)
        #expect(events[0].data["$tags"] == ["alpha", "zeta"])
        #expect(events[1].data["$tags"] == [])
    }

    /// Texts on which backtracking patterns explode. None contains a character that lets PCRE2
    /// rule the match out before searching (each has the pattern's required characters, and the
    /// end anchors fail only at the last character), so the limit itself is what stops them.
    static let catastrophic: [(pattern: String, text: String)] = [
        ("(a+)+$", String(repeating: "a", count: 40) + "!"),
        ("(a|aa)+$", String(repeating: "a", count: 60) + "!"),
        ("^(\\w+\\s?)*\\.txt$", String(repeating: "word ", count: 30) + "!.txt!"),
        ("(.*a){25}", String(repeating: "a", count: 24) + String(repeating: "b", count: 300)),
    ]

    @Test(
        "a regex too costly for a text is an error naming the rule, never a silent non-match", arguments: catastrophic)
    func catastrophicRegex(pattern: String, text: String) throws {
        let clock = ContinuousClock()
        let started = clock.now
        let rules: [(category: [String], rule: Rule)] = [
            (["Fine"], try rule(["type": "regex", "regex": "zzz"])),
            (["Bad"], try rule(["type": "regex", "regex": .string(pattern)])),
        ]
        #expect {
            try Transform.categorize([T.e(0, 1, ["title": .string(text)])], rules: rules)
        } throws: { error in
            guard let error = error as? RuleMatchError else { return false }
            return error.index == 1 && error.error.pattern == pattern && error.error.textLength == text.count
                && "\(error)".contains("too costly")
        }
        #expect(throws: RuleMatchError.self) {
            try Transform.tag([T.e(0, 1, ["title": .string(text)])], rules: [("t", rules[1].rule)])
        }
        #expect(throws: PatternMatchError.self) {
            try Transform.filterKeyvalsRegex(
                [T.e(0, 1, ["title": .string(text)])], key: "title", pattern: try Pattern(pattern))
        }
        // The same pattern still answers on an ordinary title.
        #expect(try rules[1].rule.matches(["title": "aaa"]) == (try Pattern(pattern).matches("aaa")))
        #expect(clock.now - started < .seconds(60), "each search gives up at the step limit")
    }
}
