import AWCore
import Testing

@testable import AWQuery

@Suite("query2 built-ins against stored events")
struct BuiltinQueryTests {
    func runner() async throws -> QueryRunner {
        let runner = try QueryRunner()
        try await runner.bucket(
            "aw-watcher-window_host",
            events: [
                event(10, minutes: 30, ["app": "Code", "title": "main.swift"]),
                event(10.5, minutes: 15, ["app": "Firefox", "title": "GitHub", "url": "https://www.github.com/x?y=1"]),
                event(10.75, minutes: 15, ["app": "Code", "title": "test.swift"]),
                event(23.5, minutes: 60, ["app": "Late", "title": "crosses midnight"]),
            ])
        try await runner.bucket(
            "aw-watcher-afk_host",
            events: [
                event(10, minutes: 40, ["status": "not-afk"]), event(10 + 40.0 / 60, minutes: 20, ["status": "afk"]),
                event(11, minutes: 60, ["status": "not-afk"]),
            ])
        return runner
    }

    @Test("query_bucket clips to the period and returns events newest first with ids and sorted keys")
    func queryBucket() async throws {
        let result = try await runner().run("return query_bucket(\"aw-watcher-window_host\");")
        let events = try #require(try JSON.parse(result).arrayValue)
        #expect(events.count == 4)
        #expect(events[0]["data"]?["app"] == "Late")
        #expect(events[0]["duration"] == 1800.0)
        #expect(events[0].objectValue?.keys.sorted() == ["data", "duration", "id", "timestamp"])
        #expect(
            result.hasPrefix(
                #"[{"data":{"app":"Late","title":"crosses midnight"},"duration":1800.0,"id":4,"timestamp":"2024-01-01T23:30:00Z"}"#
            ))
    }

    @Test("the canonical window+afk pipeline: active time per app and title")
    func canonicalPipeline() async throws {
        let result = try await runner().run(
            """
            events = flood(query_bucket(find_bucket("aw-watcher-window_", "host")));
            not_afk = flood(query_bucket(find_bucket("aw-watcher-afk_")));
            not_afk = filter_keyvals(not_afk, "status", ["not-afk"]);
            events = filter_period_intersect(events, not_afk);
            title_events = sort_by_duration(merge_events_by_keys(events, ["app", "title"]));
            app_events = sort_by_duration(merge_events_by_keys(title_events, ["app"]));
            RETURN = {"apps": app_events, "duration": sum_durations(events)};
            """)
        let json = try JSON.parse(result)
        let apps = try #require(json["apps"]?.arrayValue)
        #expect(apps.map { $0["data"]?["app"] } == ["Code", "Firefox"])
        // 10:45-11:00 (test.swift) falls in the AFK period, so only main.swift counts for Code.
        #expect(apps.map { $0["duration"] } == [1800.0, 600.0])
        #expect(json["duration"] == 2400.0)
    }

    @Test("categorize with web UI rules, then group by category")
    func categories() async throws {
        let result = try await runner().run(
            #"""
            events = query_bucket("aw-watcher-window_host");
            events = categorize(events, [[["Work", "Programming"], {"type": "regex", "regex": "\.swift$", "select_keys": ["title"]}], [["Work"], {"type": "regex", "regex": "github", "ignore_case": true}], [["Media"], {"type": "none"}]]);
            RETURN = sort_by_duration(merge_events_by_keys(events, ["$category"]));
            """#)
        #expect(result.contains("\"Media\"") == false)
        let groups = try #require(try JSON.parse(result).arrayValue)
        #expect(groups.map { $0["data"]?["$category"] } == [["Work", "Programming"], ["Uncategorized"], ["Work"]])
    }

    @Test("split_url_events, filter_keyvals_regex, tag, exclude_keyvals, limit, chunk and union")
    func assorted() async throws {
        let runner = try await runner()
        #expect(
            try await runner.run(
                #"return split_url_events(filter_keyvals_regex(query_bucket("aw-watcher-window_host"), "app", "(?i)^fire"));"#
            ).contains(#""$domain":"github.com""#))
        #expect(
            try await runner.run(
                #"return limit_events(exclude_keyvals(query_bucket("aw-watcher-window_host"), "app", ["Code"]), 1);"#
            ).contains("Late"))
        let tagged = try await runner.run(
            #"return tag(query_bucket("aw-watcher-window_host"), [["code", {"type": "regex", "regex": "Code"}], ["swift", {"type": "regex", "regex": "swift"}]]);"#
        )
        #expect(tagged.contains(#""$tags":["code","swift"]"#))
        let chunks = try await runner.run(
            #"return chunk_events_by_key(sort_by_timestamp(query_bucket("aw-watcher-afk_host")), "status");"#)
        #expect(try JSON.parse(chunks).arrayValue?.count == 3)
        let union = try await runner.run(#"return period_union(query_bucket("aw-watcher-afk_host"), []);"#)
        #expect(try JSON.parse(union).arrayValue?.map { $0["duration"] } == [7200.0])
        #expect(
            try await runner.run("return query_bucket_names();") == #"["aw-watcher-afk_host","aw-watcher-window_host"]"#
        )
        #expect(try await runner.run(#"return query_bucket_eventcount("aw-watcher-afk_host");"#) == "3.0")
    }
}
