import AWCore

extension Transform {
    /// The events whose `data[key]` equals one of `values` (exact JSON equality: an integer
    /// never equals a float, as in aw-server-rust).
    public static func filterKeyvals(_ events: [Event], key: String, values: [JSON]) -> [Event] {
        events.filter { event in event.data[key].map { values.contains($0) } ?? false }
    }

    /// The events except those whose `data[key]` equals one of `values`; events without the key
    /// are kept.
    public static func excludeKeyvals(_ events: [Event], key: String, values: [JSON]) -> [Event] {
        events.filter { event in !(event.data[key].map { values.contains($0) } ?? false) }
    }

    /// The events whose `data[key]` is a string in which `pattern` matches somewhere.
    ///
    /// - Throws: `PatternMatchError` when the pattern is too costly for one of the texts.
    public static func filterKeyvalsRegex(_ events: [Event], key: String, pattern: Pattern) throws(PatternMatchError)
        -> [Event]
    {
        var verdicts: [String: Bool] = [:]
        var kept: [Event] = []
        for event in events {
            guard case .string(let text) = event.data[key] else { continue }
            let verdict: Bool
            if let known = verdicts[text] {
                verdict = known
            } else {
                verdict = try pattern.matches(text)
                verdicts[text] = verdict
            }
            if verdict { kept.append(event) }
        }
        return kept
    }
}
