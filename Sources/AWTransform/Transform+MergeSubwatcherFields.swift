import AWCore

extension Transform {
    /// Enriches `base` events with fields of overlapping `subwatcher` events (a browser's `url`,
    /// an editor's `project`), as aw-core's `merge_subwatcher_fields`: each base event is split
    /// where subwatcher events begin and end within it, each piece takes `keys` from the latest
    /// subwatcher event covering it, and neighbouring pieces that end up with equal data are
    /// joined again. The total time stays that of `base`.
    ///
    /// - Parameters:
    ///   - keys: The data keys to copy.
    ///   - subwatcherWins: Overwrite keys the base event already has (otherwise they are kept).
    public static func mergeSubwatcherFields(
        _ base: [Event], _ subwatcher: [Event], keys: [String], subwatcherWins: Bool = false
    ) -> [Event] {
        guard !subwatcher.isEmpty, !keys.isEmpty else { return base }
        let subs = sortByTimestamp(subwatcher)
        var result: [Event] = []
        for event in base {
            let overlapping = subs.filter { $0.timestamp < event.end && $0.end > event.timestamp }
            guard !overlapping.isEmpty else {
                result.append(event)
                continue
            }
            var boundaries: Set<Timestamp> = [event.timestamp, event.end]
            for sub in overlapping {
                boundaries.insert(max(sub.timestamp, event.timestamp))
                boundaries.insert(min(sub.end, event.end))
            }
            let points = boundaries.sorted()
            var pieces: [Event] = []
            for (start, end) in zip(points, points.dropFirst()) {
                var piece = event
                piece.timestamp = start
                piece.end = end
                let covering = overlapping.filter { $0.timestamp < end && $0.end > start }
                let latest = covering.max { a, b in (a.timestamp, a.end) < (b.timestamp, b.end) }
                if let latest {
                    for key in keys {
                        guard let value = latest.data[key] else { continue }
                        if !subwatcherWins && piece.data[key] != nil { continue }
                        piece.data[key] = value
                    }
                }
                if let last = pieces.last, last.end == piece.timestamp, last.data == piece.data {
                    pieces[pieces.count - 1].end = piece.end
                } else {
                    pieces.append(piece)
                }
            }
            result.append(contentsOf: pieces)
        }
        return result
    }
}
