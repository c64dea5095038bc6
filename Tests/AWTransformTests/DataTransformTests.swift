import AWCore
import Testing

@testable import AWTransform

@Suite("Grouping, filtering, sorting and summing")
struct DataTransformTests {
    @Test("merge_events_by_keys sums durations, drops events missing a key, keeps the first event's data")
    func mergeByKeys() {
        let events = [
            T.e(0, 1, ["app": "a", "title": "x"], id: 1), T.e(1, 2, ["app": "b"]),
            T.e(3, 3, ["app": "a", "title": "y"]),
            T.e(6, 4, ["title": "z"]),
        ]
        let byApp = Transform.mergeEventsByKeys(events, keys: ["app"])
        #expect(byApp.map { $0.data } == [["app": "a", "title": "x"], ["app": "b"]])
        #expect(byApp.map(\.durationNanoseconds) == [4_000_000_000, 2_000_000_000])
        #expect(byApp.map(\.id) == [nil, nil])
        #expect(byApp[0].timestamp == T.at(0))
        #expect(Transform.mergeEventsByKeys(events, keys: ["app", "title"]).count == 2)
        #expect(Transform.mergeEventsByKeys(events, keys: []).isEmpty)
        #expect(Transform.mergeEventsByKeys([T.e(0, 1, ["n": 1]), T.e(1, 1, ["n": 1.0])], keys: ["n"]).count == 2)
    }

    @Test("chunk_events_by_key joins consecutive runs only")
    func chunk() {
        let events = [
            T.e(0, 1, ["k": "a"]), T.e(1, 1, ["k": "a"]), T.e(2, 1, ["x": 1]), T.e(3, 1, ["k": "b"]),
            T.e(4, 1, ["k": "a"]),
        ]
        let result = Transform.chunkEventsByKey(events, key: "k")
        #expect(result.map { $0.data["k"] } == ["a", "b", "a"])
        #expect(result.map(\.durationNanoseconds) == [2_000_000_000, 1_000_000_000, 1_000_000_000])
    }

    @Test("filter_keyvals and exclude_keyvals use exact JSON equality (1 is not 1.0)")
    func keyvals() {
        let events = [T.e(0, 1, ["n": 1]), T.e(1, 1, ["n": 1.0]), T.e(2, 1, ["c": ["Work"]]), T.e(3, 1, [:])]
        #expect(Transform.filterKeyvals(events, key: "n", values: [1.0]).map(\.timestamp) == [T.at(1)])
        #expect(Transform.filterKeyvals(events, key: "c", values: [["Work"]]).map(\.timestamp) == [T.at(2)])
        #expect(Transform.filterKeyvals(events, key: "c", values: [["Work", "Sub"]]).isEmpty)
        #expect(
            Transform.excludeKeyvals(events, key: "n", values: [1.0]).map(\.timestamp) == [T.at(0), T.at(2), T.at(3)])
    }

    @Test("filter_keyvals_regex searches string values only")
    func keyvalsRegex() throws {
        let events = [
            T.e(0, 1, ["app": "Firefox"]), T.e(1, 1, ["app": "firefox-esr"]), T.e(2, 1, ["app": 5]),
            T.e(3, 1, ["app": "Chromium"]),
        ]
        #expect(try Transform.filterKeyvalsRegex(events, key: "app", pattern: try Pattern("(?i)^firefox")).count == 2)
        #expect(try Transform.filterKeyvalsRegex(events, key: "app", pattern: try Pattern("fox")).count == 2)
        #expect(try Transform.filterKeyvalsRegex(events, key: "app", pattern: try Pattern("5")).isEmpty)
        #expect(throws: PatternError.self) { try Pattern("(") }
    }

    @Test("sorts are stable: by start ascending, by duration descending")
    func sorts() {
        let events = [T.e(2, 1, ["i": 0]), T.e(1, 3, ["i": 1]), T.e(2, 2, ["i": 2]), T.e(0, 3, ["i": 3])]
        #expect(Transform.sortByTimestamp(events).map { $0.data["i"] } == [3, 1, 0, 2])
        #expect(Transform.sortByDuration(events).map { $0.data["i"] } == [1, 3, 2, 0])
        let many = (0..<1000).map { T.e(Double($0 % 7), 1, ["i": .int(Int64($0))]) }
        let sorted = Transform.sortByTimestamp(many)
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.timestamp == b.timestamp {
            #expect(a.data["i"]!.doubleValue! < b.data["i"]!.doubleValue!)
        }
    }

    @Test("sum_durations truncates to whole milliseconds; limit_events saturates")
    func sumAndLimit() {
        #expect(Transform.sumDurations([T.e(0, 1.2345)]) == 1.234)
        #expect(Transform.sumDurations([T.e(0, 0.0005), T.e(1, 0.0005)]) == 0.001)
        #expect(Transform.sumDurations([]) == 0)
        #expect(Transform.limitEvents([T.e(0, 1), T.e(1, 1)], count: 1).count == 1)
        #expect(Transform.limitEvents([T.e(0, 1)], count: -3).isEmpty)
    }

    @Test("find_bucket: prefix and hostname; an exact id wins")
    func findBucket() {
        let buckets = [
            Bucket(id: "aw-watcher-window_b", type: "t", client: "c", hostname: "b"),
            Bucket(id: "aw-watcher-window_a", type: "t", client: "c", hostname: "a"),
            Bucket(id: "aw-watcher-window", type: "t", client: "c", hostname: "z"),
        ]
        #expect(Transform.findBucket(buckets, prefix: "aw-watcher-window_") == "aw-watcher-window_a")
        #expect(Transform.findBucket(buckets, prefix: "aw-watcher-window_", hostname: "b") == "aw-watcher-window_b")
        #expect(Transform.findBucket(buckets, prefix: "aw-watcher-window") == "aw-watcher-window")
        #expect(Transform.findBucket(buckets, prefix: "aw-watcher-afk") == nil)
    }

    @Test("split_url_events: domain without www, path, query as $params; file and about URLs")
    func splitURL() {
        let events = Transform.splitURLEvents([
            T.e(0, 1, ["url": "https://www.Example.com:8080/a/b?x=1&y=2#frag"]),
            T.e(1, 1, ["url": "http://github.com"]),
            T.e(2, 1, ["url": "file:///home/user/x.html"]), T.e(3, 1, ["url": "about:blank"]),
            T.e(4, 1, ["url": "not a url"]),
            T.e(5, 1, ["url": 5]),
        ])
        #expect(events[0].data["$domain"] == "example.com")
        #expect(events[0].data["$protocol"] == "https")
        #expect(events[0].data["$path"] == "/a/b")
        #expect(events[0].data["$params"] == "x=1&y=2")
        #expect(events[1].data["$path"] == "/")
        #expect(events[1].data["$params"] == "")
        #expect(events[2].data["$domain"] == "file")
        #expect(events[2].data["$path"] == "/home/user/x.html")
        #expect(events[3].data["$domain"] == "about")
        #expect(events[3].data["$path"] == "blank")
        #expect(events[4].data["$domain"] == nil)
        #expect(events[5].data["$domain"] == nil)
    }

    @Test("merge_subwatcher_fields splits base events where the subwatcher's events change")
    func subwatcherFields() {
        let base = [T.e(0, 10, ["app": "Firefox", "title": "t"])]
        let web = [T.e(2, 3, ["url": "https://a"]), T.e(5, 2, ["url": "https://b"])]
        let result = Transform.mergeSubwatcherFields(base, web, keys: ["url", "title"])
        #expect(T.spans(result) == [[0, 2], [2, 3], [5, 2], [7, 3]])
        #expect(result.map { $0.data["url"] } == [nil, "https://a", "https://b", nil])
        #expect(result.allSatisfy { $0.data["title"] == "t" })
        let overwrite = Transform.mergeSubwatcherFields(
            base, [T.e(0, 10, ["title": "new"])], keys: ["title"], subwatcherWins: true)
        #expect(overwrite.map { $0.data["title"] } == ["new"])
    }

    @Test("simplify_window_titles strips counters, FPS readings and unsaved marks")
    func simplify() {
        let events = Transform.simplifyWindowTitles(
            [
                T.e(0, 1, ["app": "x", "title": "(3) Inbox"]),
                T.e(1, 1, ["app": "Cemu", "title": "Cemu - FPS: 59.2 - Game"]),
                T.e(2, 1, ["app": "Code", "title": "● main.swift"]), T.e(3, 1, ["title": "* notes"]),
            ], key: "title")
        #expect(events.map { $0.data["title"] } == ["Inbox", "Cemu - FPS: ... - Game", "main.swift", "* notes"])
    }
}
