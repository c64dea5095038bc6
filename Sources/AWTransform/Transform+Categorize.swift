import AWCore

extension Transform {
    /// Sets `data["$category"]` of every event to the category of the rules that match it: the
    /// deepest matching category wins, and among equally deep ones the later rule; events no
    /// rule matches get `["Uncategorized"]`.
    ///
    /// - Parameter rules: Pairs of a category name path (e.g. `["Work", "Programming"]`) and its rule.
    /// - Throws: `RuleMatchError` naming the first rule whose regex is too costly for an event.
    public static func categorize(_ events: [Event], rules: [(category: [String], rule: Rule)]) throws(RuleMatchError)
        -> [Event]
    {
        var categorized = DataMemo<[String: JSON]>()  // events sharing data share the result
        var byContent: [[String: JSON]: JSON] = [:]  // equal data in different instances
        return try events.map { event throws(RuleMatchError) in
            var event = event
            event.data = try categorized.result(for: event.data) { data throws(RuleMatchError) in
                let category: JSON
                if let known = byContent[data] {
                    category = known
                } else {
                    var best = ["Uncategorized"]
                    for (index, (candidate, rule)) in rules.enumerated() where candidate.count >= best.count {
                        if try RuleMatchError.matches(rule, index, data) { best = candidate }
                    }
                    category = .array(best.map { .string($0) })
                    byContent[data] = category
                }
                var result = data
                result["$category"] = category
                return result
            }
            return event
        }
    }
}
