import AWCore

extension Transform {
    /// Joins consecutive events with the same value of `key` (in input order, with no check that
    /// they touch): the first event of a run keeps its data and gains the run's total duration.
    /// Events lacking the key are skipped.
    public static func chunkEventsByKey(_ events: [Event], key: String) -> [Event] {
        var result: [Event] = []
        for event in events {
            guard let value = event.data[key] else { continue }
            if let last = result.last, last.data[key] == value {
                result[result.count - 1].durationNanoseconds += event.durationNanoseconds
            } else {
                result.append(event)
            }
        }
        return result
    }
}
