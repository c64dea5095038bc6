import AWCore

extension Transform {
    /// Sets `data["$tags"]` of every event to the names of all rules that match it, sorted and
    /// without duplicates.
    public static func tag(_ events: [Event], rules: [(tag: String, rule: Rule)]) -> [Event] {
        var tagged = DataMemo<[String: JSON]>()  // events sharing data share the result
        return events.map { event in
            var event = event
            event.data = tagged.result(for: event.data) { data in
                var result = data
                result["$tags"] = .array(
                    Set(rules.filter { $0.rule.matches(data) }.map(\.tag)).sorted().map { .string($0) })
                return result
            }
            return event
        }
    }
}
