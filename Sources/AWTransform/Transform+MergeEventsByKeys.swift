import AWCore

extension Transform {
    /// One event per distinct combination of values of `keys`, with the summed duration, as
    /// aw-server-rust computes it: an event lacking any of the keys is left out; each merged
    /// event starts where its first event starts, has no id, and carries a copy of that first
    /// event's whole data. With no keys the result is empty.
    ///
    /// - Returns: The merged events, in order of first appearance.
    public static func mergeEventsByKeys(_ events: [Event], keys: [String]) -> [Event] {
        guard !keys.isEmpty else { return [] }
        var positions: [[JSON]: Int] = [:]
        var result: [Event] = []
        for event in events {
            var values: [JSON] = []
            values.reserveCapacity(keys.count)
            for key in keys {
                guard let value = event.data[key] else { break }
                values.append(value)
            }
            guard values.count == keys.count else { continue }
            if let position = positions[values] {
                result[position].durationNanoseconds += event.durationNanoseconds
            } else {
                positions[values] = result.count
                var merged = event
                merged.id = nil
                result.append(merged)
            }
        }
        return result
    }
}
