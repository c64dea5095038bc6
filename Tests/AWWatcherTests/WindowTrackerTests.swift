import AWCore
import Testing

@testable import WindowWatcher

@Suite("Window watcher: heartbeats and privacy rules")
struct WindowTrackerTests {
    let t0 = Timestamp(nanoseconds: 1_700_000_000_000_000_000)
    func at(_ seconds: Int64) -> Timestamp { t0.advanced(byNanoseconds: seconds * 1_000_000_000) }

    @Test("a window change first extends the old window's event to the moment of the change")
    func noGaps() {
        var tracker = WindowTracker(pulsetime: 2)
        let a: [String: JSON] = ["app": "A", "title": "a"]
        let b: [String: JSON] = ["app": "B", "title": "b"]
        func extending(_ data: [String: JSON], _ from: Int64, _ to: Int64) -> Event {
            Event(timestamp: at(from), durationNanoseconds: (to - from) * 1_000_000_000, data: data)
        }
        #expect(tracker.observe(a, at: at(0)).map(\.event) == [Event(timestamp: at(0), data: a)])
        #expect(tracker.observe(b, at: at(2)).map(\.event) == [extending(a, 0, 2), Event(timestamp: at(2), data: b)])
        #expect(tracker.observe(nil, at: at(3)).map(\.event) == [extending(b, 2, 3)])
        #expect(tracker.observe(nil, at: at(4)).isEmpty)
        #expect(tracker.observe(a, at: at(5)).map(\.pulsetime) == [0])  // never merged across the dropped stretch
        #expect(tracker.observe(nil, at: at(7)).map(\.pulsetime) == [2])
        #expect(tracker.finish(at: at(8)).isEmpty)
    }

    @Test("an unchanged window is extended every 5 s, and to the end when watching stops")
    func repeats() {
        var tracker = WindowTracker(pulsetime: 2)
        let a: [String: JSON] = ["app": "A", "title": "a"]
        _ = tracker.observe(a, at: at(0))
        for second in 1...4 { #expect(tracker.observe(a, at: at(Int64(second))).isEmpty) }
        #expect(
            tracker.observe(a, at: at(5)).map(\.event) == [
                Event(timestamp: at(0), durationNanoseconds: 5_000_000_000, data: a)
            ])
        #expect(tracker.observe(a, at: at(6)).isEmpty)
        let last = tracker.finish(at: at(7))
        #expect(last.map(\.event) == [Event(timestamp: at(5), durationNanoseconds: 2_000_000_000, data: a)])
        #expect(last.map(\.pulsetime) == [2])
    }

    @Test("the pulsetime is max(1.5 x poll, poll + 1)")
    func pulsetime() {
        #expect(WindowWatcherConfiguration(pollTime: 1).pulsetime == 2)
        #expect(WindowWatcherConfiguration(pollTime: 4).pulsetime == 6)
        #expect(WindowWatcherConfiguration(pollTime: 0.5).pulsetime == 1.5)
    }

    @Test("rules drop or rewrite, case-insensitively when asked, with capture groups; the first match decides")
    func rules() throws {
        let drop = try CompiledPrivacyRule(PrivacyRule(app: "^keepassxc$", ignoreCase: true, drop: true))
        #expect(try drop.apply(app: "KeePassXC", title: "Passwords") == .drop)
        #expect(try drop.apply(app: "keepassxc-cli", title: "x") == nil)
        let strip = try CompiledPrivacyRule(
            PrivacyRule(app: "^Code$", title: "^● (.*) - (.*)$", replaceTitle: "$1 in $2 ($9)"))
        #expect(
            try strip.apply(app: "Code", title: "● main.swift - aw-server")
                == .record(app: "Code", title: "main.swift in aw-server ()"))
        #expect(try strip.apply(app: "Code", title: "main.swift") == nil)
        let app = try CompiledPrivacyRule(
            PrivacyRule(title: "(?i)private browsing", replaceApp: "browser", replaceTitle: "private"))
        #expect(
            try app.apply(app: "Firefox", title: "x — Private Browsing") == .record(app: "browser", title: "private"))
        #expect(CompiledPrivacyRule.expand("$$1 costs $5", groups: ["all", "one"]) == "$1 costs ")
    }

    @Test("configuration: exclude_title(s) become rules; bad rules are refused with the key named")
    func configuration() throws {
        let text = """
            [watchers.window]
            poll_time = 0.5
            exclude_titles = ["secret"]
            [[watchers.window.rules]]
            app = "^Slack$"
            drop = true
            """
        let configuration = try WindowWatcherConfiguration(
            section: ConfigFile(path: "c.toml", text: text).section("watchers.window"))
        #expect(configuration.pollTime == 0.5)
        #expect(
            configuration.rules == [
                PrivacyRule(title: "secret", ignoreCase: true, replaceTitle: "excluded"),
                PrivacyRule(app: "^Slack$", drop: true),
            ])
        for (rule, message) in [
            (
                "app = \"(\"\ndrop = true",
                "'watchers.window.rules[1].app' is not a valid regular expression: missing closing parenthesis"
            ),
            ("app = \"x\"", "would do nothing"),
            ("drop = true", "would match every window"),
            ("app = \"x\"\ndrop = true\nreplace_title = \"y\"", "cannot be combined"),
            ("app = \"x\"\nhide = true", "'watchers.window.rules[1].hide' is not a rule setting"),
        ] {
            let file = try ConfigFile(path: "c.toml", text: "[[watchers.window.rules]]\n\(rule)\n")
            #expect {
                try WindowWatcherConfiguration(section: file.section("watchers.window"))
            } throws: { error in
                "\(error)".contains(message)
            }
        }
        #expect(throws: ConfigError.self) {
            try WindowWatcherConfiguration(
                section: ConfigFile(path: "c.toml", text: "[watchers.window]\npoll_time = 0\n").section(
                    "watchers.window"))
        }
        #expect {
            try WindowWatcherConfiguration(
                section: ConfigFile(path: "c.toml", text: "[watchers.window]\nexclude_titles = [\"a\", \"[b\"]\n")
                    .section("watchers.window"))
        } throws: { error in
            "\(error)".contains("'watchers.window.exclude_titles' is not a valid regular expression")
        }
    }
}
