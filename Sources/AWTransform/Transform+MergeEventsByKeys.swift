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
        var positions: [GroupKey: Int] = [:]
        positions.reserveCapacity(min(events.count, 4096))  // a month of window titles, without regrowing
        var positionOfData = DataMemo<Int?>()  // events sharing data land in the same group
        var result: [Event] = []
        for event in events {
            let position = positionOfData.result(for: event.data) { data -> Int? in
                guard let key = GroupKey(data, keys) else { return nil }
                if let known = positions[key] { return known }
                var merged = event
                merged.id = nil
                merged.durationNanoseconds = 0
                positions[key] = result.count
                result.append(merged)
                return result.count - 1
            }
            if let position { result[position].durationNanoseconds += event.durationNanoseconds }
        }
        return result
    }
}

/// The values of the grouping keys; one or two keys (the usual case) need no allocation.
private struct GroupKey: Hashable {
    var first: JSON
    var second: JSON?
    var rest: [JSON]?

    /// `nil` when `data` lacks one of the keys.
    init?(_ data: [String: JSON], _ keys: [String]) {
        guard let first = data[keys[0]] else { return nil }
        self.first = first
        if keys.count > 1 {
            guard let second = data[keys[1]] else { return nil }
            self.second = second
        }
        if keys.count > 2 {
            var rest: [JSON] = []
            for key in keys[2...] {
                guard let value = data[key] else { return nil }
                rest.append(value)
            }
            self.rest = rest
        }
    }
}
