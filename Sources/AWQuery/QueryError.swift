/// Why a query failed, with where in the query text, read like a compiler diagnostic:
///
///     error: unknown function 'flod'
///      --> query:3:10
///       |
///     3 | events = flod(events);
///       |          ^
///       = help: did you mean 'flood'?
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of failure.
    public enum Kind: Sendable, Equatable {
        /// The text is not valid query2 (unknown character, unterminated string, unexpected token).
        case syntax
        /// The query is valid but cannot run as written (unknown names, wrong argument types or
        /// counts, bad regexes or rules, missing buckets, no `RETURN`).
        case invalid
        /// The data could not be read just now (the storage is busy or unreachable); the same
        /// query may work later.
        case unavailable
        /// The server failed while running a valid query.
        case `internal`
    }

    /// The class of failure.
    public var kind: Kind
    /// One phrase, e.g. `unknown function 'flod'`.
    public var message: String
    /// Where in the query text, when known.
    public var location: SourceLocation?
    /// A suggestion, e.g. `did you mean 'flood'?`.
    public var hint: String?

    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
        self.hint = hint
    }

    public var description: String {
        var text = "error: \(message)"
        if let location { text += " (at \(location))" }
        if let hint { text += "; help: \(hint)" }
        return text
    }

    /// The full diagnostic, quoting the offending line of `source` with a caret under the column.
    public func diagnostic(source: String) -> String {
        var lines = ["error: \(message)"]
        if let location {
            // Lines end at each line feed, as `SourceLocation` counts them (a "\r\n" is one
            // Character, so splitting Characters would not count it).
            let sourceLines = source.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
                .map { String(String.UnicodeScalarView($0.last == "\r" ? $0.dropLast() : $0[...])) }
            let number = String(location.line)
            let gutter = String(repeating: " ", count: number.count)
            lines.append("\(gutter)--> query:\(location.line):\(location.column)")
            if location.line - 1 < sourceLines.count {
                let line = sourceLines[location.line - 1]
                lines.append("\(gutter) |")
                lines.append("\(number) | \(line)")
                lines.append("\(gutter) | \(String(repeating: " ", count: location.column - 1))^")
            }
            if let hint { lines.append("\(gutter) = help: \(hint)") }
        } else if let hint {
            lines.append(" = help: \(hint)")
        }
        return lines.joined(separator: "\n")
    }
}
