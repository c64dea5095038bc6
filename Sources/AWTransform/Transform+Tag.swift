import AWCore

extension Transform {
    /// Sets `data["$tags"]` of every event to the names of all rules that match it, sorted and
    /// without duplicates.
    ///
    /// - Throws: `RuleMatchError` naming the first rule whose regex is too costly for an event.
    public static func tag(_ events: [Event], rules: [(tag: String, rule: Rule)]) throws(RuleMatchError) -> [Event] {
        var tagged = DataMemo<[String: JSON]>()  // events sharing data share the result
        return try events.map { event throws(RuleMatchError) in
            var event = event
            event.data = try tagged.result(for: event.data) { data throws(RuleMatchError) in
                var tags: Set<String> = []
                for (index, (tag, rule)) in rules.enumerated() where try RuleMatchError.matches(rule, index, data) {
                    tags.insert(tag)
                }
                var result = data
                result["$tags"] = .array(tags.sorted().map { .string($0) })
                return result
            }
            return event
        }
    }
}
