/// A JSON document that does not have the shape of an ActivityWatch model.
public struct ModelDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offending field, as a path such as `events[3].timestamp`; empty for the whole value.
    public var field: String
    /// What is wrong with it.
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// A missing required field.
    public static func missing(_ field: String) -> ModelDecodingError {
        ModelDecodingError(field: field, reason: "is required")
    }

    /// A field of the wrong JSON type.
    public static func wrongType(_ field: String, expected: String, got value: JSON) -> ModelDecodingError {
        ModelDecodingError(field: field, reason: "must be \(expected), got \(value.kindDescription)")
    }

    /// This error with its field path placed under `parent` (e.g. `events[3]`).
    public func nested(under parent: String) -> ModelDecodingError {
        ModelDecodingError(field: field.isEmpty ? parent : "\(parent).\(field)", reason: reason)
    }

    public var description: String {
        field.isEmpty ? reason : "field '\(field)' \(reason)"
    }
}

/// Typed access to the members of a JSON object being decoded into a model.
struct ObjectReader {
    let object: [String: JSON]

    init(_ value: JSON, what: String) throws(ModelDecodingError) {
        guard case .object(let object) = value else {
            throw ModelDecodingError(field: "", reason: "\(what) must be a JSON object, got \(value.kindDescription)")
        }
        self.object = object
    }

    /// The member, treating JSON `null` as absent.
    func optional(_ key: String) -> JSON? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    func string(_ key: String) throws(ModelDecodingError) -> String {
        guard let value = optional(key) else { throw .missing(key) }
        guard case .string(let text) = value else { throw .wrongType(key, expected: "a string", got: value) }
        return text
    }

    func optionalString(_ key: String) throws(ModelDecodingError) -> String? {
        guard let value = optional(key) else { return nil }
        guard case .string(let text) = value else { throw .wrongType(key, expected: "a string", got: value) }
        return text
    }

    func optionalObject(_ key: String) throws(ModelDecodingError) -> [String: JSON]? {
        guard let value = optional(key) else { return nil }
        guard case .object(let members) = value else { throw .wrongType(key, expected: "an object", got: value) }
        return members
    }

    func timestamp(_ key: String) throws(ModelDecodingError) -> Timestamp {
        guard let value = try optionalTimestamp(key) else { throw .missing(key) }
        return value
    }

    func optionalTimestamp(_ key: String) throws(ModelDecodingError) -> Timestamp? {
        guard let text = try optionalString(key) else { return nil }
        do {
            return try Timestamp(rfc3339: text)
        } catch {
            throw ModelDecodingError(field: key, reason: "is not a valid timestamp: \(error.description)")
        }
    }
}
