import AWCore

extension Transform {
    /// Sets `data["$category"]` of every event to the category of the rules that match it: the
    /// deepest matching category wins, and among equally deep ones the later rule; events no
    /// rule matches get `["Uncategorized"]`.
    ///
    /// - Parameter rules: Pairs of a category name path (e.g. `["Work", "Programming"]`) and its rule.
    public static func categorize(_ events: [Event], rules: [(category: [String], rule: Rule)]) -> [Event] {
        var known: [[String: JSON]: JSON] = [:]  // events with equal data get equal categories
        return events.map { event in
            var event = event
            let category: JSON
            if let cached = known[event.data] {
                category = cached
            } else {
                var best = ["Uncategorized"]
                for (candidate, rule) in rules where candidate.count >= best.count && rule.matches(event.data) {
                    best = candidate
                }
                category = .array(best.map { .string($0) })
                known[event.data] = category
            }
            event.data["$category"] = category
            return event
        }
    }
}
