import AWCore
import FoundationEssentials

/// What the environment says about the desktop session a watcher runs in: the variables a
/// display server and a session manager set. Sources are chosen from this evidence (and, on
/// Wayland, from the globals the compositor advertises), never by trying one after another.
public struct DesktopSession: Sendable, Hashable {
    /// `WAYLAND_DISPLAY`: the compositor's socket, when this is a Wayland session.
    public var waylandDisplay: String?
    /// `XDG_SESSION_TYPE`: `wayland`, `x11`, `tty`, ...
    public var sessionType: String?
    /// `XDG_CURRENT_DESKTOP`, split at colons: `KDE`, `GNOME`, `sway`, ...
    public var desktops: [String]
    /// `DISPLAY`: the X server (XWayland, in a Wayland session).
    public var x11Display: String?

    public init(waylandDisplay: String?, sessionType: String?, desktops: [String], x11Display: String?) {
        self.waylandDisplay = waylandDisplay
        self.sessionType = sessionType
        self.desktops = desktops
        self.x11Display = x11Display
    }

    /// The session described by `environment` (default: this process's).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        self.init(
            waylandDisplay: value("WAYLAND_DISPLAY"), sessionType: value("XDG_SESSION_TYPE"),
            desktops: value("XDG_CURRENT_DESKTOP")?.split(separator: ":").map(String.init) ?? [],
            x11Display: value("DISPLAY"))
    }

    /// The session with the displays a watcher's configuration names (`display`,
    /// `wayland_display`) taking the place of `DISPLAY` and `WAYLAND_DISPLAY`.
    public func naming(x11Display: String?, waylandDisplay: String?) -> DesktopSession {
        var session = self
        session.x11Display = x11Display ?? session.x11Display
        session.waylandDisplay = waylandDisplay ?? session.waylandDisplay
        return session
    }

    /// Whether this is a Wayland session: `WAYLAND_DISPLAY` is set, or `XDG_SESSION_TYPE=wayland`.
    public var isWayland: Bool { waylandDisplay != nil || sessionType == "wayland" }

    /// Whether `XDG_CURRENT_DESKTOP` names `desktop` (any case).
    public func isDesktop(_ desktop: String) -> Bool {
        desktops.contains { $0.lowercased() == desktop.lowercased() }
    }

    /// The desktop's name in parentheses after a space, for messages ("the compositor (sway)"),
    /// or nothing when `XDG_CURRENT_DESKTOP` is not set.
    public var desktopSuffix: String { desktops.first.map { " (\($0))" } ?? "" }
}

/// Which source a watcher module uses on this session and why, and why it did not take the
/// others: what the module logs when it starts and what `aw-server sources` prints.
public struct SourceReport: Sendable, Hashable {
    /// A source that was not taken, and why.
    public struct Alternative: Sendable, Hashable {
        /// The source's name, e.g. `x11`.
        public var source: String
        /// Why it was not taken.
        public var reason: String

        public init(_ source: String, _ reason: String) {
            self.source = source
            self.reason = reason
        }
    }

    /// The module, e.g. `window`.
    public var module: String
    /// The source in use, e.g. `wlr-foreign-toplevel`; `nil` when none can be used here.
    public var source: String?
    /// Why that source (or why none).
    public var reason: String
    /// The other sources and why they were not taken.
    public var notTaken: [Alternative]

    public init(module: String, source: String?, reason: String, notTaken: [Alternative] = []) {
        self.module = module
        self.source = source
        self.reason = reason
        self.notTaken = notTaken
    }

    /// The report as JSON: `{module, source, reason, not_taken: [{source, reason}]}`.
    public var json: JSON {
        .object([
            "module": .string(module), "source": source.map(JSON.string) ?? .null, "reason": .string(reason),
            "not_taken": .array(
                notTaken.map { .object(["source": .string($0.source), "reason": .string($0.reason)]) }),
        ])
    }

    /// Reads a report written as `json` (`module` may be missing: then `module` is used).
    ///
    /// - Throws: `ModelDecodingError` naming what is missing or of the wrong kind.
    public init(json: JSON, module: String) throws(ModelDecodingError) {
        guard case .object(let members) = json else {
            throw ModelDecodingError.wrongType("", expected: "a source report object", got: json)
        }
        guard case .string(let reason) = members["reason"] else { throw ModelDecodingError.missing("reason") }
        var source: String?
        switch members["source"] {
        case .string(let name): source = name
        case .null, nil: source = nil
        case let other?: throw ModelDecodingError.wrongType("source", expected: "a string or null", got: other)
        }
        var notTaken: [Alternative] = []
        if case .array(let entries) = members["not_taken"] {
            for entry in entries {
                guard case .object(let fields) = entry, case .string(let name) = fields["source"],
                    case .string(let why) = fields["reason"]
                else { throw ModelDecodingError(field: "not_taken", reason: "must hold {source, reason} objects") }
                notTaken.append(Alternative(name, why))
            }
        }
        if case .string(let named) = members["module"] {
            self.init(module: named, source: source, reason: reason, notTaken: notTaken)
        } else {
            self.init(module: module, source: source, reason: reason, notTaken: notTaken)
        }
    }

    /// The report of a source the configuration names (`source = "..."`).
    public static func configured(module: String, source: String) -> SourceReport {
        SourceReport(module: module, source: source, reason: "set in the configuration (source)")
    }

    /// The report when there is no desktop session to watch.
    public static func noDesktopSession(module: String) -> SourceReport {
        SourceReport(
            module: module, source: nil, reason: "no desktop session: neither WAYLAND_DISPLAY nor DISPLAY is set")
    }

    /// The report in one line, for the log.
    public var summary: String {
        let choice = source.map { "source \($0): \(reason)" } ?? "no source: \(reason)"
        guard !notTaken.isEmpty else { return choice }
        return choice + " (not taken: " + notTaken.map { "\($0.source): \($0.reason)" }.joined(separator: "; ") + ")"
    }
}
