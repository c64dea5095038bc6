import AWCore
import AWWatcherKit
import Logging

/// What is active, as any window source sees it.
enum ActiveWindow: Equatable {
    /// A window with its app and title ("unknown" for what it lacks).
    case window(app: String, title: String)
    /// No window is active (all closed, an empty workspace, focus on the root window).
    case none
}

/// Turns what a window source sees into heartbeats, the same for every source: the privacy rules
/// first, then the `WindowTracker`, so events tile time without gaps. Used on the sampling thread
/// only.
struct WindowRecorder {
    private var tracker: WindowTracker
    private let rules: [CompiledPrivacyRule]
    /// The rules whose regex was too costly for the last window they were tried on (warned once
    /// until they work again).
    private var failingRules: Set<Int> = []
    private let logger: Logger

    init(configuration: WindowWatcherConfiguration, logger: Logger) {
        tracker = WindowTracker(pulsetime: configuration.pulsetime)
        rules = configuration.rules.compactMap { try? CompiledPrivacyRule($0) }
        self.logger = logger
    }

    /// The heartbeats for seeing `active` at `time`. No window is recorded as the X11 module
    /// always has: app and title "unknown".
    mutating func observe(_ active: ActiveWindow, at time: Timestamp) -> [Heartbeat] {
        guard case .window(let app, let title) = active else {
            return tracker.observe(["app": "unknown", "title": "unknown"], at: time)
        }
        for (index, rule) in rules.enumerated() {
            guard let decision = decide(rule, index, app: app, title: title) else { continue }
            switch decision {
            case .drop: return tracker.observe(nil, at: time)
            case .record(let app, let title):
                return tracker.observe(["app": .string(app), "title": .string(title)], at: time)
            }
        }
        return tracker.observe(["app": .string(app), "title": .string(title)], at: time)
    }

    /// The heartbeat that ends the current event at `time`, when the source can no longer tell
    /// which window is active (nothing is recorded until it can again).
    mutating func pause(at time: Timestamp) -> [Heartbeat] {
        tracker.observe(nil, at: time)
    }

    /// The heartbeat that extends the current event to `time`, when watching stops.
    mutating func finish(at time: Timestamp) -> [Heartbeat] {
        tracker.finish(at: time)
    }

    /// What rule number `index` makes of a window. A rule whose regex is too costly for this
    /// window cannot tell whether the window is one the user wants hidden, so nothing is recorded
    /// for it, and a warning names the rule.
    private mutating func decide(_ rule: CompiledPrivacyRule, _ index: Int, app: String, title: String)
        -> PrivacyDecision?
    {
        do {
            let decision = try rule.apply(app: app, title: title)
            failingRules.remove(index)
            return decision
        } catch {
            if failingRules.insert(index).inserted {
                logger.warning(
                    "privacy rule \(index + 1) (watchers.window.rules[\(index)]) cannot be applied, so this window is not recorded: \(error)"
                )
            }
            return .drop
        }
    }
}
