import AWCore

/// A query2 value.
///
/// Lists of events, the common case, are kept as `.events` so transforms can use them without
/// conversion; everywhere else they behave exactly like a `.list` of `.event` values.
public enum Value: Sendable {
    /// What statements and `print` produce (written as `[]` in results, as aw-server-rust does).
    case none
    case bool(Bool)
    /// All query numbers are floating point.
    case number(Double)
    case string(String)
    case event(Event)
    /// A list whose elements are all events.
    case events([Event])
    case list([Value])
    case dict([String: Value])
    /// A built-in function, by name (functions are values: `f = flood; f(events);`).
    case function(String)

    /// The most a value may expand to (see `expandedSize(limit:)`): 10 million events or list
    /// elements (a year of window events is 6.3 million), or 160 MB of text.
    static let maximumSize = 10_000_000

    /// How big the value is when written out: one per value, event and element, counted through
    /// nested lists and dictionaries (a list holding the same list twice counts it twice), plus
    /// one per 16 bytes of text. Counting stops once past `limit`, so it takes at most `limit`
    /// steps even for a value that expands to far more.
    func expandedSize(limit: Int) -> Int {
        switch self {
        case .string(let text): return 1 + text.utf8.count / 16
        case .events(let events): return 1 + events.count
        case .list(let values): return Self.expandedSize(of: values, limit: limit)
        case .dict(let values): return Self.expandedSize(of: values.values, limit: limit)
        case .none, .bool, .number, .event, .function: return 1
        }
    }

    /// The deepest a value may nest lists and dictionaries in a query.
    static let maximumDepth = 100

    /// How many levels of lists and dictionaries the value nests (0 for anything else, 1 for a
    /// list of events). Counting stops once past `limit`, so it never recurses deeper than
    /// `limit` levels.
    func depth(limit: Int) -> Int {
        switch self {
        case .list(let values): return Self.depth(of: values, limit: limit)
        case .dict(let values): return Self.depth(of: values.values, limit: limit)
        case .events: return 1
        case .none, .bool, .number, .string, .event, .function: return 0
        }
    }

    private static func depth(of values: some Collection<Value>, limit: Int) -> Int {
        guard limit > 0 else { return 1 }
        var deepest = 0
        for value in values {
            deepest = max(deepest, value.depth(limit: limit - 1))
            if deepest >= limit { break }
        }
        return 1 + deepest
    }

    /// `self + other` in place, when both are strings, lists of events or lists: the storage is
    /// extended rather than copied when nothing else holds it.
    ///
    /// - Returns: Whether it was done; `false` leaves the value as it was.
    mutating func append(_ other: Value) -> Bool {
        // Taking the payload out and clearing `self` leaves the payload its storage's only owner.
        switch other {
        case .string(let tail):
            guard case .string(var text) = self else { return false }
            self = .none
            text += tail
            self = .string(text)
        case .events(let tail):
            guard case .events(var events) = self else { return false }
            self = .none
            events += tail
            self = .events(events)
        case .list(let tail):
            guard case .list(var values) = self else { return false }
            self = .none
            values += tail
            self = .list(values)
        default:
            return false
        }
        return true
    }

    private static func expandedSize(of values: some Collection<Value>, limit: Int) -> Int {
        var total = 1
        for value in values {
            total += value.expandedSize(limit: limit - total)
            if total > limit { break }
        }
        return total
    }

    /// The elements when this is a list (of events or of anything).
    var listElements: [Value]? {
        switch self {
        case .list(let values): return values
        case .events(let events): return events.map { .event($0) }
        default: return nil
        }
    }

    /// The type's name as diagnostics say it: "a number", "a list of events", ...
    var typeDescription: String {
        switch self {
        case .none: return "nothing (none)"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .event: return "an event"
        case .events: return "a list of events"
        case .list: return "a list"
        case .dict: return "a dictionary"
        case .function: return "a function"
        }
    }

    /// A short rendering for diagnostics: `666`, `1.5`, `"abc"`, `[…]`.
    var shortDescription: String {
        switch self {
        case .none: return "none"
        case .bool(let value): return "\(value)"
        case .number(let value):
            return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
        case .string(let value): return "\"\(value.count > 40 ? value.prefix(40) + "…" : value)\""
        case .event: return "an event"
        case .events(let events): return "a list of \(events.count) events"
        case .list(let values): return "a list of \(values.count) values"
        case .dict(let values): return "a dictionary of \(values.count) entries"
        case .function(let name): return "function '\(name)'"
        }
    }

    /// Deep equality as `==` defines it; `nil` when the types differ (an error for `==`).
    /// Like aw-server-rust, `none` never equals anything, not even `none`.
    func isEqual(to other: Value) -> Bool? {
        switch (self, other) {
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.event(let a), .event(let b)): return a == b
        case (.events(let a), .events(let b)): return a == b
        case (.dict(let a), .dict(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let otherValue = b[key], value.isEqual(to: otherValue) == true else { return false }
            }
            return true
        case (.function(let a), .function(let b)): return a == b
        case (.none, .none): return false
        default:
            guard let a = listElements, let b = other.listElements else { return nil }
            guard a.count == b.count else { return false }
            return zip(a, b).allSatisfy { $0.isEqual(to: $1) == true }
        }
    }

    /// The value as JSON, with every number a float (as aw-server-rust converts query values,
    /// so that `1` in a query equals `1.0` in event data but not `1`). Functions have none.
    var json: JSON? {
        switch self {
        case .none: return .null
        case .bool(let value): return .bool(value)
        case .number(let value): return .double(value)
        case .string(let value): return .string(value)
        case .event(let event): return event.json
        case .events(let events): return .array(events.map(\.json))
        case .list(let values):
            var elements: [JSON] = []
            for value in values {
                guard let element = value.json else { return nil }
                elements.append(element)
            }
            return .array(elements)
        case .dict(let values):
            var members: [String: JSON] = [:]
            for (key, value) in values {
                guard let member = value.json else { return nil }
                members[key] = member
            }
            return .object(members)
        case .function: return nil
        }
    }
}
