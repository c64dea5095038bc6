import AWCore

extension Transform {
    /// Merges two event lists so that no time is covered twice: events of `primary` are kept
    /// whole, and events of `secondary` are cut around them (a cut piece loses its id).
    ///
    /// Both lists are expected in start order and are not sorted here (as aw-server-rust). Unlike
    /// the reference, every `secondary` event contained in a longer `primary` event is absorbed,
    /// not only the first one.
    ///
    /// - Returns: The merged events.
    public static func unionNoOverlap(_ primary: [Event], _ secondary: [Event]) -> [Event] {
        var result: [Event] = []
        result.reserveCapacity(primary.count + secondary.count)
        var secondary = secondary
        var i = 0
        var j = 0
        func overlap(_ a: Event, _ b: Event) -> Bool { a.timestamp < b.end && b.timestamp < a.end }
        while i < primary.count && j < secondary.count {
            let a = primary[i]
            let b = secondary[j]
            guard overlap(a, b) else {
                if a.timestamp <= b.timestamp {
                    result.append(a)
                    i += 1
                } else {
                    result.append(b)
                    j += 1
                }
                continue
            }
            if a.timestamp <= b.timestamp {
                result.append(a)
                i += 1
                // Absorb every secondary event that starts inside `a`; keep what sticks out.
                while j < secondary.count && secondary[j].timestamp < a.end {
                    if secondary[j].end > a.end {
                        secondary[j].id = nil
                        let end = secondary[j].end
                        secondary[j].timestamp = a.end
                        secondary[j].end = end
                        break
                    }
                    j += 1
                }
            } else {
                var before = b
                before.id = nil
                before.end = a.timestamp
                result.append(before)
                var rest = b
                rest.id = nil
                rest.timestamp = a.timestamp
                rest.end = b.end
                secondary[j] = rest
            }
        }
        result.append(contentsOf: primary[i...])
        result.append(contentsOf: secondary[j...])
        return result
    }
}
