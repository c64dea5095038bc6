import AWCore

extension Transform {
    /// Sets `data["$tags"]` of every event to the names of all rules that match it, sorted and
    /// without duplicates.
    public static func tag(_ events: [Event], rules: [(tag: String, rule: Rule)]) -> [Event] {
        var known: [[String: JSON]: JSON] = [:]
        return events.map { event in
            var event = event
            let tags: JSON
            if let cached = known[event.data] {
                tags = cached
            } else {
                let names = Set(rules.filter { $0.rule.matches(event.data) }.map(\.tag))
                tags = .array(names.sorted().map { .string($0) })
                known[event.data] = tags
            }
            event.data["$tags"] = tags
            return event
        }
    }
}
