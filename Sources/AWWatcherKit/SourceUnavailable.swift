/// Why a watcher's source cannot be used now, in words for the log and `aw-server sources`:
/// "the X display has no MIT-SCREEN-SAVER extension, so idle time cannot be read".
public struct SourceUnavailable: Error, Sendable, Hashable, CustomStringConvertible {
    /// The reason, one sentence without a final period.
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
