import AWCore
import AWStoreTestSupport
import AWTestSupport
import Testing

@testable import AWServer

/// The queries the ActivityWatch web UI sends, sent verbatim over REST against stored events.
@Suite("REST: query2")
struct QueryEndpointTests {
    static let day = "2024-01-01"

    /// Events as `[start "HH:MM", end "HH:MM", data]` on 2024-01-01.
    static func events(_ spans: [(String, String, JSON)]) -> String {
        let items = spans.map { start, end, data -> String in
            func seconds(_ hhmm: String) -> Int { Int(hhmm.prefix(2))! * 3600 + Int(hhmm.suffix(2))! * 60 }
            return
                #"{"timestamp":"\#(day)T\#(start):00Z","duration":\#(seconds(end) - seconds(start)),"data":\#(data.serialized())}"#
        }
        return "[\(items.joined(separator: ","))]"
    }

    static func store(
        _ client: TestClient, bucket: String, type: String, hostname: String = "laptop",
        _ spans: [(String, String, JSON)]
    ) async throws {
        let created = try await client.send(
            .post, "/api/0/buckets/\(bucket)", #"{"client":"test","type":"\#(type)","hostname":"\#(hostname)"}"#)
        #expect(created.status == 200)
        #expect(try await client.send(.post, "/api/0/buckets/\(bucket)/events", events(spans)).status == 200)
    }

    static func query(_ client: TestClient, _ statements: [String], periods: [String]) async throws -> TestClient.Answer
    {
        let body: JSON = [
            "timeperiods": .array(periods.map { .string($0) }), "query": .array(statements.map { .string($0) }),
        ]
        return try await client.send(.post, "/api/0/query/", body.serialized())
    }

    static let categories =
        #"[[["Work"], {"type": "regex", "regex": "Google Docs|libreoffice|ReText"}], [["Work", "Programming"], {"type": "regex", "regex": "GitHub|Stack Overflow|BitBucket|Gitlab|vim|Spyder|kate|Ghidra|Scite"}], [["Work", "Programming", "ActivityWatch"], {"type": "regex", "regex": "ActivityWatch|aw-", "ignore_case": true}], [["Media", "Music"], {"type": "regex", "regex": "Spotify|Deezer| - Music", "ignore_case": true}], [["Comms", "IM"], {"type": "regex", "regex": "Messenger|Telegram|Signal|WhatsApp|Slack|Discord"}]]"#

    /// aw-webui's fullDesktopQuery (canonicalEvents with a Firefox bucket, audible time counted
    /// as active, categories), one statement per array element as the web UI splits it.
    static let fullDesktopQuery = [
        #"events = flood(query_bucket("aw-watcher-window_laptop"));"#,
        #"not_afk = flood(query_bucket("aw-watcher-afk_laptop"));"#,
        #"not_afk = filter_keyvals(not_afk, "status", ["not-afk"]);"#,
        "browser_events = [];",
        #"events_firefox = flood(query_bucket("aw-watcher-web-firefox_laptop"));"#,
        #"window_firefox = filter_keyvals(events, "app", ["Firefox","Firefox Developer Edition","firefox"]);"#,
        #"window_firefox_re = filter_keyvals_regex(events, "app", "(?i)^firefox(-esr)?(\\.exe)?$");"#,
        "window_firefox = sort_by_timestamp(concat(window_firefox, window_firefox_re));",
        "events_firefox = filter_period_intersect(events_firefox, window_firefox);",
        "events_firefox = split_url_events(events_firefox);",
        "browser_events = concat(browser_events, events_firefox);",
        "browser_events = sort_by_timestamp(browser_events);",
        #"audible_events = filter_keyvals(browser_events, "audible", [true]);"#,
        "not_afk = period_union(not_afk, audible_events);",
        "events = filter_period_intersect(events, not_afk);",
        "stopwatch_events = [];",
        "events = categorize(events, \(categories));",
        #"title_events = sort_by_duration(merge_events_by_keys(events, ["app", "title"]));"#,
        #"app_events   = sort_by_duration(merge_events_by_keys(title_events, ["app"]));"#,
        #"cat_events   = sort_by_duration(merge_events_by_keys(events, ["$category"]));"#,
        "app_events  = limit_events(app_events, 100);",
        "title_events  = limit_events(title_events, 100);",
        "duration = sum_durations(events);",
        "browser_events = split_url_events(browser_events);",
        #"browser_urls = merge_events_by_keys(browser_events, ["url"]);"#,
        "browser_urls = sort_by_duration(browser_urls);",
        "browser_urls = limit_events(browser_urls, 100);",
        #"browser_domains = merge_events_by_keys(browser_events, ["$domain"]);"#,
        "browser_domains = sort_by_duration(browser_domains);",
        "browser_domains = limit_events(browser_domains, 100);",
        #"browser_titles = merge_events_by_keys(browser_events, ["title"]);"#,
        "browser_titles = sort_by_duration(browser_titles);",
        "browser_titles = limit_events(browser_titles, 100);",
        "browser_duration = sum_durations(browser_events);",
        #"stopwatch_events = merge_events_by_keys(stopwatch_events, ["label"]);"#,
        "stopwatch_events = sort_by_duration(stopwatch_events);",
        "stopwatch_events = limit_events(stopwatch_events, 100);",
        #"RETURN = {"window": {"app_events": app_events, "title_events": title_events, "cat_events": cat_events, "active_events": not_afk, "duration": duration}, "browser": {"domains": browser_domains, "urls": browser_urls, "titles": browser_titles, "duration": browser_duration}, "stopwatch": {"stopwatch_events": stopwatch_events}};"#,
    ]

    @Test("fullDesktopQuery: active time per app, title, category and browser domain", arguments: StoreKind.all)
    func fullDesktop(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            try await Self.store(
                client, bucket: "aw-watcher-window_laptop", type: "currentwindow",
                [
                    ("09:00", "09:30", ["app": "Code", "title": "main.swift - aw-server-swift"]),
                    ("09:30", "09:50", ["app": "Firefox", "title": "GitHub - Pull request"]),
                    ("09:50", "10:00", ["app": "Firefox", "title": "Lofi - Music"]),
                    ("10:00", "10:20", ["app": "Code", "title": "vim notes"]),
                ])
            try await Self.store(
                client, bucket: "aw-watcher-afk_laptop", type: "afkstatus",
                [
                    ("09:00", "09:55", ["status": "not-afk"]), ("09:55", "10:30", ["status": "afk"]),
                ])
            try await Self.store(
                client, bucket: "aw-watcher-web-firefox_laptop", type: "web.tab.current",
                [
                    (
                        "09:30", "09:50",
                        [
                            "url": "https://github.com/ActivityWatch/aw-server-rust/pull/1",
                            "title": "GitHub - Pull request", "audible": false,
                        ]
                    ),
                    (
                        "09:50", "10:00",
                        ["url": "https://www.youtube.com/watch?v=x", "title": "Lofi - Music", "audible": true]
                    ),
                ])
            let answer = try await Self.query(
                client, Self.fullDesktopQuery, periods: ["2024-01-01T00:00:00+01:00/2024-01-02T00:00:00+01:00"])
            #expect(answer.status == 200, "\(answer.text)")
            let result = try #require(answer.json?.arrayValue?.first)
            let window = try #require(result["window"])
            #expect(window["duration"] == 3600.0)  // 10:00-10:20 is AFK; the audible tab keeps 09:55-10:00 active
            #expect(window["app_events"]?.arrayValue?.map { $0["data"]?["app"] } == ["Code", "Firefox"])
            #expect(window["app_events"]?.arrayValue?.map { $0["duration"] } == [1800.0, 1800.0])
            #expect(
                window["title_events"]?.arrayValue?.map { $0["data"]?["title"] } == [
                    "main.swift - aw-server-swift", "GitHub - Pull request", "Lofi - Music",
                ])
            #expect(
                window["cat_events"]?.arrayValue?.map { $0["data"]?["$category"] } == [
                    ["Work", "Programming", "ActivityWatch"], ["Work", "Programming"], ["Media", "Music"],
                ])
            #expect(window["cat_events"]?.arrayValue?.map { $0["duration"] } == [1800.0, 1200.0, 600.0])
            #expect(window["active_events"]?.arrayValue?.map { $0["duration"] } == [3600.0])
            let browser = try #require(result["browser"])
            #expect(browser["domains"]?.arrayValue?.map { $0["data"]?["$domain"] } == ["github.com", "youtube.com"])
            #expect(browser["domains"]?.arrayValue?.map { $0["duration"] } == [1200.0, 600.0])
            #expect(browser["duration"] == 1800.0)
            #expect(result["stopwatch"]?["stopwatch_events"] == [])
            let event = try #require(window["title_events"]?.arrayValue?.first)
            #expect(event.objectValue?.keys.sorted() == ["data", "duration", "id", "timestamp"])
            #expect(event["id"] == .null)
        }
    }

    @Test("activityQuery over two hosts, many periods in one request", arguments: StoreKind.all)
    func activityTwoHosts(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            try await Self.store(
                client, bucket: "aw-watcher-afk_hostA", type: "afkstatus", hostname: "hostA",
                [("09:00", "10:00", ["status": "not-afk"]), ("10:00", "10:10", ["status": "afk"])])
            try await Self.store(
                client, bucket: "aw-watcher-afk_hostB", type: "afkstatus", hostname: "hostB",
                [("09:30", "10:30", ["status": "not-afk"])])
            var statements = ["not_afk = [];"]
            for host in ["hostA", "hostB"] {
                statements += [
                    #"not_afk_curr = query_bucket("aw-watcher-afk_\#(host)");"#,
                    #"not_afk_curr = filter_keyvals(not_afk_curr, "status", ["not-afk"]);"#,
                    "not_afk = union_no_overlap(not_afk, not_afk_curr);",
                ]
            }
            statements += [#"not_afk = merge_events_by_keys(not_afk, ["status"]);"#, "RETURN = not_afk;"]
            let periods = ["09:00/10:00", "10:00/11:00", "11:00/12:00"].map { hours in
                hours.split(separator: "/").map { "\(Self.day)T\($0):00Z" }.joined(separator: "/")
            }
            let answer = try await Self.query(client, statements, periods: periods)
            #expect(answer.status == 200, "\(answer.text)")
            let results = try #require(answer.json?.arrayValue)
            #expect(results.count == 3)
            #expect(results.map { $0.arrayValue?.map { $0["duration"] } } == [[3600.0], [1800.0], []])
            #expect(results[0].arrayValue?.first?["data"] == ["status": "not-afk"])
        }
    }

    @Test("canonicalEvents with RETURN = events (Timeline), query sent as one string", arguments: StoreKind.all)
    func canonicalTimeline(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            try await Self.store(
                client, bucket: "aw-watcher-window_laptop", type: "currentwindow",
                [
                    ("09:00", "09:10", ["app": "a", "title": "x"]), ("09:12", "09:20", ["app": "a", "title": "x"]),
                    ("09:21", "09:30", ["app": "b", "title": "y"]),
                ])
            try await Self.store(
                client, bucket: "aw-watcher-afk_laptop", type: "afkstatus", [("09:00", "09:25", ["status": "not-afk"])])
            let text = """
                events = flood(query_bucket(find_bucket("aw-watcher-window_")));
                not_afk = flood(query_bucket(find_bucket("aw-watcher-afk_")));
                not_afk = filter_keyvals(not_afk, "status", ["not-afk"]);
                events = filter_period_intersect(events, not_afk);
                RETURN = events;
                """
            let body: JSON = ["timeperiods": ["2024-01-01T09:00:00Z/2024-01-01T10:00:00Z"], "query": .string(text)]
            let answer = try await client.send(.post, "/api/0/query", body.serialized())
            #expect(answer.status == 200, "\(answer.text)")
            let events = try #require(answer.json?.arrayValue?.first?.arrayValue)
            // The gaps (2 and 1 minutes) are longer than flood's 5 s, so nothing is filled;
            // AFK from 09:25 cuts "b" short.
            #expect(
                events.map { $0["timestamp"] } == [
                    "2024-01-01T09:00:00Z", "2024-01-01T09:12:00Z", "2024-01-01T09:21:00Z",
                ])
            #expect(events.map { $0["duration"] } == [600.0, 480.0, 240.0])
        }
    }

    @Test("query errors are 400 with message, line and column; bad requests name the field", arguments: StoreKind.all)
    func errors(store: StoreKind) async throws {
        try await TestServer(store: store.make()).withClient { (client) async throws in
            let period = "2024-01-01T00:00:00Z/2024-01-02T00:00:00Z"
            let typo = try await Self.query(client, ["events = [];", "RETURN = flod(events);"], periods: [period])
            #expect(typo.status == 400)
            #expect(typo.json?["line"] == 2)
            #expect(typo.json?["column"] == 10)
            #expect(typo.message?.hasPrefix("error: unknown function 'flod'") == true)
            #expect(typo.message?.contains("did you mean 'flood'?") == true)
            let empty = try await Self.query(client, [""], periods: [period])
            #expect(empty.status == 400)
            #expect(empty.message?.contains("never sets RETURN") == true)
            let badPeriod = try await Self.query(client, ["return 1;"], periods: ["2024-01-01"])
            #expect(badPeriod.status == 400)
            #expect(badPeriod.message?.contains("timeperiods[0]") == true)
            let noQuery = try await client.send(.post, "/api/0/query/", #"{"timeperiods": []}"#)
            #expect(noQuery.message?.contains("field 'query' is required") == true)
            #expect(try await Self.query(client, ["return 1;"], periods: []).text == "[]")
            #expect(try await Self.query(client, ["return 1;"], periods: [period, period]).text == "[1.0,1.0]")
        }
    }
}

@Suite("Query threads")
struct QueryThreadTests {
    @Test("a query runs on a thread the system shows as aw-query-N")
    func named() async {
        let name = await withTaskExecutorPreference(QueryExecutor.shared) { currentThreadName() }
        #expect(name.hasPrefix("aw-query-"), "\(name)")
    }
}
