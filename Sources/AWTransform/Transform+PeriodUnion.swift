import AWCore

extension Transform {
    /// The time covered by either list, as events with empty data: overlapping or touching
    /// events are joined into one (which keeps the first event's id and start).
    ///
    /// - Returns: Disjoint events in start order.
    public static func periodUnion(_ first: [Event], _ second: [Event]) -> [Event] {
        var result: [Event] = []
        for event in sortByTimestamp(first + second) {
            if let last = result.last, event.timestamp <= last.end {
                result[result.count - 1].end = max(last.end, event.end)
            } else {
                result.append(event)
            }
        }
        for index in result.indices { result[index].data = [:] }
        return result
    }
}
