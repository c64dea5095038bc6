/// When to restart a module that crashed: after 2, 4, then 8 seconds; a module that crashes a
/// fourth time within 10 minutes of the first of those crashes is given up.
public struct RestartPolicy: Sendable {
    /// Restarts allowed within `window`.
    public static let maximumRestarts = 3
    /// The sliding window restarts are counted in.
    public static let window: Duration = .seconds(600)

    private var restarts: [ContinuousClock.Instant] = []

    public init() {}

    /// Records a crash at `now`.
    ///
    /// - Returns: How long to wait before restarting, or `nil` to give up.
    public mutating func delayAfterCrash(at now: ContinuousClock.Instant) -> Duration? {
        restarts.removeAll { now - $0 > Self.window }
        guard restarts.count < Self.maximumRestarts else { return nil }
        restarts.append(now)
        return .seconds(1 << restarts.count)  // 2, 4, 8
    }
}
