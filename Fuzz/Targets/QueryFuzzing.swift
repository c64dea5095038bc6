import AWCore
import AWDatastore
import AWQuery
import AWServer
import Logging

/// query2 text, parsed and, when it parses, run for one day over a real in-memory datastore
/// holding window, AFK and browser buckets (the same `QueryDataSource` the server uses). A query
/// must either give a JSON result or a query error (never a server fault) whose position lies
/// inside the text.
enum QueryFuzzing {
    static let period = try! TimePeriod(parsing: "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z")
    static let datastore = waitFor { await sampleDatastore() }
    static let logger = Logger(label: "aw.fuzz.query") { _ in SwiftLogNoOpLogHandler() }

    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        let source = String(decoding: input, as: UTF8.self)
        let datastore = self.datastore
        let outcome = waitFor { () async -> Result<[UInt8], QueryError> in
            do throws(QueryError) {
                let query = try Query(source: source)
                // A time limit below libFuzzer's own, so a slow query is an answer, not a hang.
                return .success(
                    try await query.runAndEncode(
                        periods: [period], dataSource: StoreQuerySource(store: datastore),
                        limits: QueryLimits(timeout: .seconds(3)), logger: logger))
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let bytes):
            let result = bytes.withUnsafeBytes { buffer in try? JSON.parse(buffer) }
            try expect(result?.arrayValue?.count == 1, "the result is not a JSON array of one period's value")
        case .failure(let error):
            try expect(error.kind != .internal, "a query text caused a server fault: \(error)")
            if let location = error.location {
                let lineCount = source.utf8.count(where: { $0 == UInt8(ascii: "\n") }) + 1
                try expect(
                    location.offset >= 0 && location.offset <= source.utf8.count && location.line >= 1
                        && location.line <= lineCount && location.column >= 1,
                    "error position \(location) (offset \(location.offset)) is outside the text")
            }
            _ = error.diagnostic(source: source)
        }
    }

    /// A day of window, AFK and browser activity on host `fuzz`.
    static func sampleDatastore() async -> Datastore {
        do {
            let datastore = try Datastore.inMemory(logger: logger)
            let apps = ["Firefox", "Code", "Terminal", "Slack"]
            let start = period.start.nanoseconds + 8 * 3_600_000_000_000
            func at(_ minute: Int) -> Timestamp { Timestamp(nanoseconds: start + Int64(minute) * 60_000_000_000) }
            let buckets: [(String, String, (Int) -> [String: JSON])] = [
                (
                    "aw-watcher-window_fuzz", "currentwindow",
                    { ["app": .string(apps[$0 % 4]), "title": .string("Title \($0 % 7)")] }
                ),
                ("aw-watcher-afk_fuzz", "afkstatus", { ["status": .string($0 % 5 == 0 ? "afk" : "not-afk")] }),
                (
                    "aw-watcher-web-firefox_fuzz", "web.tab.current",
                    {
                        [
                            "url": .string("https://example.org/page\($0 % 3)"), "title": .string("Page"),
                            "audible": .bool(false),
                        ]
                    }
                ),
            ]
            for (id, type, data) in buckets {
                try await datastore.createBucket(Bucket(id: id, type: type, client: "fuzz", hostname: "fuzz"))
                let events = (0..<60).map {
                    Event(timestamp: at($0 * 3), durationNanoseconds: 170_000_000_000, data: data($0))
                }
                _ = try await datastore.insertEvents(events, bucketID: id)
            }
            return datastore
        } catch {
            fatalError("cannot fill the fuzzing datastore: \(error)")
        }
    }
}
