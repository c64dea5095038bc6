import AWCore

/// A categorization rule of the web UI's format:
/// `{"type": "regex", "regex": "…", "ignore_case": true, "select_keys": ["app", "title"]}`
/// or `{"type": "none"}` (never matches).
///
/// A regex rule matches an event when its pattern is found in any of the event's top-level
/// string values (only those named in `select_keys`, when given). Not thread-safe (it holds a
/// compiled pattern).
public struct Rule {
    /// The compiled pattern; `nil` for a rule of type `none`.
    public let pattern: Pattern?
    /// The data keys to test; `nil` for all of them.
    public let selectKeys: [String]?

    /// Reads and compiles a rule.
    ///
    /// - Throws: `RuleError` with aw-server-rust's messages for a malformed rule or a regex that
    ///   does not compile.
    public init(json: JSON) throws(RuleError) {
        guard case .object(let fields) = json else { throw .invalid("Expected rule dict, got \(json.kindDescription)") }
        guard let type = fields["type"] else { throw .invalid("rule does not have a type") }
        guard case .string(let kind) = type else { throw .invalid("rule type is not a string") }
        switch kind {
        case "none":
            pattern = nil
            selectKeys = nil
        case "regex":
            guard let regex = fields["regex"] else { throw .invalid("regex rule is missing the 'regex' field") }
            guard case .string(let source) = regex else {
                throw .invalid("the regex field of the regex rule is not a string")
            }
            var ignoreCase = false
            if let value = fields["ignore_case"] {
                guard case .bool(let flag) = value else {
                    throw .invalid("the ignore_case field of the regex rule is not a bool")
                }
                ignoreCase = flag
            }
            var keys: [String]?
            if let value = fields["select_keys"] {
                guard case .array(let elements) = value else {
                    throw .invalid("the select_keys field of the regex rule is not a list")
                }
                keys = try elements.map { element throws(RuleError) -> String in
                    guard case .string(let key) = element else {
                        throw .invalid("the select_keys field of the regex rule must contain only strings")
                    }
                    return key
                }
                if keys!.isEmpty { throw .invalid("the select_keys field of the regex rule must not be empty") }
            }
            do {
                pattern = try Pattern(source, ignoreCase: ignoreCase)
            } catch {
                throw .regex(error)
            }
            selectKeys = keys
        default:
            throw .invalid("Unknown rule type '\(kind)'")
        }
    }

    /// Whether the rule matches an event with this data.
    ///
    /// - Throws: `PatternMatchError` when the rule's regex is too costly for one of the texts.
    public func matches(_ data: [String: JSON]) throws(PatternMatchError) -> Bool {
        guard let pattern else { return false }
        if let selectKeys {
            for key in selectKeys {
                if case .string(let text) = data[key], try pattern.matches(text) { return true }
            }
            return false
        }
        for value in data.values {
            if case .string(let text) = value, try pattern.matches(text) { return true }
        }
        return false
    }
}

/// A categorization rule that cannot be used.
public enum RuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule is malformed.
    case invalid(String)
    /// Its regex does not compile.
    case regex(PatternError)

    public var description: String {
        switch self {
        case .invalid(let reason): return reason
        case .regex(let error): return error.description
        }
    }
}

/// A rule of a list (categories, tags) whose regex was too costly for an event's data.
public struct RuleMatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule's position in its list, from 0.
    public var index: Int
    /// What the regex could not do.
    public var error: PatternMatchError

    public var description: String { "rule \(index + 1): \(error.description)" }

    /// Whether rule number `index` matches `data`.
    ///
    /// - Throws: `RuleMatchError` for that rule when its regex is too costly.
    static func matches(_ rule: Rule, _ index: Int, _ data: [String: JSON]) throws(RuleMatchError) -> Bool {
        do {
            return try rule.matches(data)
        } catch {
            throw RuleMatchError(index: index, error: error)
        }
    }
}
