import AWCore
import AWTransform

extension Builtins {
    /// Event transforms.
    static let transforms: [Builtin] = [
        Builtin("flood", "flood(events[, pulsetime_seconds])", arity: 1...2) { call throws(QueryError) in
            let pulsetime = call.arguments.count > 1 ? try call.number(1) : 5
            return .events(
                Transform.flood(try call.events(0), pulsetimeNanoseconds: Int64((max(0, pulsetime) * 1e9).rounded())))
        },
        Builtin("merge_events_by_keys", "merge_events_by_keys(events, [\"key\", ...])", arity: 2...2) {
            call throws(QueryError) in
            .events(Transform.mergeEventsByKeys(try call.events(0), keys: try call.strings(1)))
        },
        Builtin("chunk_events_by_key", "chunk_events_by_key(events, \"key\")", arity: 2...2) {
            call throws(QueryError) in
            .events(Transform.chunkEventsByKey(try call.events(0), key: try call.string(1)))
        },
        Builtin("filter_keyvals", "filter_keyvals(events, \"key\", [values])", arity: 3...3) {
            call throws(QueryError) in
            .events(
                Transform.filterKeyvals(try call.events(0), key: try call.string(1), values: try jsonValues(call, 2)))
        },
        Builtin("exclude_keyvals", "exclude_keyvals(events, \"key\", [values])", arity: 3...3) {
            call throws(QueryError) in
            .events(
                Transform.excludeKeyvals(try call.events(0), key: try call.string(1), values: try jsonValues(call, 2)))
        },
        Builtin("filter_keyvals_regex", "filter_keyvals_regex(events, \"key\", \"regex\")", arity: 3...3) {
            call throws(QueryError) in
            let source = try call.string(2)
            let pattern: Pattern
            do throws(PatternError) {
                pattern = try Pattern(source)
            } catch {
                throw call.error(2, error.description)
            }
            let events = try call.events(0)
            let key = try call.string(1)
            do throws(PatternMatchError) {
                return .events(try Transform.filterKeyvalsRegex(events, key: key, pattern: pattern))
            } catch {
                throw call.error(2, error.description)
            }
        },
        Builtin("filter_period_intersect", "filter_period_intersect(events, filter_events)", arity: 2...2) {
            call throws(QueryError) in
            .events(Transform.filterPeriodIntersect(try call.events(0), filters: try call.events(1)))
        },
        Builtin("period_union", "period_union(events1, events2)", arity: 2...2) { call throws(QueryError) in
            .events(Transform.periodUnion(try call.events(0), try call.events(1)))
        },
        Builtin("union_no_overlap", "union_no_overlap(events1, events2)", arity: 2...2) { call throws(QueryError) in
            .events(Transform.unionNoOverlap(try call.events(0), try call.events(1)))
        },
        Builtin(
            "merge_subwatcher_fields",
            "merge_subwatcher_fields(events, subwatcher_events, [\"key\", ...][, \"base_wins\" | \"sub_wins\"])",
            arity: 3...4
        ) { call throws(QueryError) in
            var subwatcherWins = false
            if call.arguments.count > 3 {
                switch try call.string(3) {
                case "base_wins": subwatcherWins = false
                case "sub_wins": subwatcherWins = true
                case let other:
                    throw call.error(3, "the conflict rule must be \"base_wins\" or \"sub_wins\", got \"\(other)\"")
                }
            }
            return .events(
                Transform.mergeSubwatcherFields(
                    try call.events(0), try call.events(1), keys: try call.strings(2), subwatcherWins: subwatcherWins))
        },
        Builtin("limit_events", "limit_events(events, count)", arity: 2...2) { call throws(QueryError) in
            let count = try call.number(1)
            return .events(
                Transform.limitEvents(try call.events(0), count: count.isFinite ? Int(max(0, min(count, 1e15))) : 0))
        },
        Builtin("sort_by_timestamp", "sort_by_timestamp(events)", arity: 1...1) { call throws(QueryError) in
            .events(Transform.sortByTimestamp(try call.events(0)))
        },
        Builtin("sort_by_duration", "sort_by_duration(events)", arity: 1...1) { call throws(QueryError) in
            .events(Transform.sortByDuration(try call.events(0)))
        },
        Builtin("sum_durations", "sum_durations(events)", arity: 1...1) { call throws(QueryError) in
            .number(Transform.sumDurations(try call.events(0)))
        },
        Builtin("concat", "concat(events1, events2, ...)", arity: 0...Int.max) { call throws(QueryError) in
            var result: [Event] = []
            for index in call.arguments.indices { result += try call.events(index) }
            return .events(result)
        },
        Builtin("split_url_events", "split_url_events(events)", arity: 1...1) { call throws(QueryError) in
            .events(Transform.splitURLEvents(try call.events(0)))
        },
        Builtin("simplify_window_titles", "simplify_window_titles(events, \"key\")", arity: 2...2) {
            call throws(QueryError) in
            .events(Transform.simplifyWindowTitles(try call.events(0), key: try call.string(1)))
        },
    ]

    /// A list argument as JSON values (numbers as floats).
    static func jsonValues(_ call: Call, _ index: Int) throws(QueryError) -> [JSON] {
        guard case .array(let values) = try call.json(index) else {
            throw call.error(
                index,
                "argument \(index + 1) of '\(call.name)' must be a list of values, got \(call.arguments[index].typeDescription)"
            )
        }
        return values
    }
}
