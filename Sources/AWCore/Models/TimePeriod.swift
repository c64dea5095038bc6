/// A span of time `[start, end]`, written `start/end` on the wire (ISO 8601 interval form).
public struct TimePeriod: Sendable, Hashable, CustomStringConvertible {
    /// The first instant of the period.
    public var start: Timestamp
    /// The last instant of the period.
    public var end: Timestamp

    public init(start: Timestamp, end: Timestamp) {
        self.start = start
        self.end = end
    }

    /// Reads `start/end`, two RFC 3339 timestamps joined by a slash.
    ///
    /// - Throws: `ModelDecodingError` naming which half is wrong.
    public init(parsing text: String) throws(ModelDecodingError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw ModelDecodingError(field: "timeperiod", reason: "'\(text)' is not of the form <start>/<end>")
        }
        do {
            start = try Timestamp(rfc3339: String(parts[0]))
            end = try Timestamp(rfc3339: String(parts[1]))
        } catch {
            throw ModelDecodingError(field: "timeperiod", reason: error.description)
        }
    }

    /// Whether `timestamp` lies within the period (both ends included).
    public func contains(_ timestamp: Timestamp) -> Bool {
        start <= timestamp && timestamp <= end
    }

    /// `start/end` in RFC 3339 UTC.
    public var description: String { "\(start.rfc3339)/\(end.rfc3339)" }
}
