import AWCore
import AWTransform

/// A privacy rule: when a window's app and title match, drop the sample or replace its app
/// and/or title before anything is recorded.
public struct PrivacyRule: Sendable, Hashable {
    /// A regex searched in the application name; `nil` matches any.
    public var app: String?
    /// A regex searched in the window title; `nil` matches any.
    public var title: String?
    /// Match letters regardless of case.
    public var ignoreCase: Bool
    /// Record nothing for matching windows.
    public var drop: Bool
    /// The app to record instead (`$1`… insert capture groups of the app regex).
    public var replaceApp: String?
    /// The title to record instead (`$1`… insert capture groups of the title regex).
    public var replaceTitle: String?

    public init(
        app: String? = nil, title: String? = nil, ignoreCase: Bool = false, drop: Bool = false,
        replaceApp: String? = nil, replaceTitle: String? = nil
    ) {
        self.app = app
        self.title = title
        self.ignoreCase = ignoreCase
        self.drop = drop
        self.replaceApp = replaceApp
        self.replaceTitle = replaceTitle
    }

    /// Reads one `[[watchers.window.rules]]` table.
    ///
    /// - Throws: `ConfigError` for unknown keys, a rule that matches nothing in particular, or
    ///   one that does nothing.
    init(section: ConfigSection) throws(ConfigError) {
        let known: Set = ["app", "title", "ignore_case", "drop", "replace_app", "replace_title"]
        if let unknown = section.keys.first(where: { !known.contains($0) }) {
            throw section.error(unknown, "is not a rule setting (use \(known.sorted().joined(separator: ", ")))")
        }
        self.init(
            app: try section.string("app"), title: try section.string("title"),
            ignoreCase: try section.bool("ignore_case") ?? false, drop: try section.bool("drop") ?? false,
            replaceApp: try section.string("replace_app"), replaceTitle: try section.string("replace_title"))
        guard app != nil || title != nil else {
            throw section.error("app", "or 'title' must be given: the rule would match every window")
        }
        guard drop || replaceApp != nil || replaceTitle != nil else {
            throw section.error(
                "drop", "is not set and there is no replace_app or replace_title: the rule would do nothing")
        }
        guard !(drop && (replaceApp != nil || replaceTitle != nil)) else {
            throw section.error("drop", "cannot be combined with replace_app or replace_title")
        }
    }
}

extension PrivacyRule {
    /// Checks that the rule's regexes compile.
    ///
    /// - Parameters:
    ///   - section: Where the rule was written, for the message.
    ///   - key: The key that holds the rule's regex; `nil` for a rule table's own `app`/`title`.
    /// - Throws: `ConfigError` naming the key, e.g. `'watchers.window.rules[2].title' is not a
    ///   valid regular expression: missing closing parenthesis (at offset 17)`.
    func validate(in section: ConfigSection, key: String? = nil) throws(ConfigError) {
        for (name, source) in [("app", app), ("title", title)] {
            guard let source else { continue }
            do {
                _ = try Pattern(source, ignoreCase: ignoreCase)
            } catch {
                throw section.error(
                    key ?? name, "is not a valid regular expression: \(error.reason) (at offset \(error.offset))")
            }
        }
    }
}

/// A privacy rule with its regexes compiled (not thread-safe; one per polling thread).
struct CompiledPrivacyRule {
    let rule: PrivacyRule
    let app: Pattern?
    let title: Pattern?

    init(_ rule: PrivacyRule) throws(PatternError) {
        self.rule = rule
        app = try rule.app.map { source throws(PatternError) in try Pattern(source, ignoreCase: rule.ignoreCase) }
        title = try rule.title.map { source throws(PatternError) in try Pattern(source, ignoreCase: rule.ignoreCase) }
    }

    /// What to record for a window, or `nil` when the rule does not match it.
    ///
    /// - Returns: `.drop`, or the (possibly replaced) app and title.
    /// - Throws: `PatternMatchError` when one of the rule's regexes is too costly for the window.
    func apply(app appName: String, title titleText: String) throws(PatternMatchError) -> PrivacyDecision? {
        var appGroups: [String?] = []
        var titleGroups: [String?] = []
        if let app {
            guard let groups = try app.firstMatch(in: appName) else { return nil }
            appGroups = groups
        }
        if let title {
            guard let groups = try title.firstMatch(in: titleText) else { return nil }
            titleGroups = groups
        }
        if rule.drop { return .drop }
        return .record(
            app: rule.replaceApp.map { Self.expand($0, groups: appGroups) } ?? appName,
            title: rule.replaceTitle.map { Self.expand($0, groups: titleGroups) } ?? titleText)
    }

    /// `template` with `$0`…`$9` replaced by the capture groups (missing groups are empty) and
    /// `$$` by `$`.
    static func expand(_ template: String, groups: [String?]) -> String {
        var result = ""
        var characters = template.makeIterator()
        while let character = characters.next() {
            guard character == "$" else {
                result.append(character)
                continue
            }
            guard let next = characters.next() else {
                result.append("$")
                break
            }
            if let digit = next.wholeNumberValue, next.isASCII {
                result += digit < groups.count ? (groups[digit] ?? "") : ""
            } else if next == "$" {
                result.append("$")
            } else {
                result.append("$")
                result.append(next)
            }
        }
        return result
    }
}

/// What a privacy rule decided for a window.
enum PrivacyDecision: Equatable {
    case drop
    case record(app: String, title: String)
}
