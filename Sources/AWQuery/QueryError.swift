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

    /// The longest message kept; a longer one (quoting a huge name or pattern) is cut with `…`.
    static let maximumMessageLength = 1000

    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.kind = kind
        self.message =
            message.count > Self.maximumMessageLength ? message.prefix(Self.maximumMessageLength) + "…" : message
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
                let (excerpt, caret) = Self.excerpt(of: sourceLines[location.line - 1], column: location.column)
                lines.append("\(gutter) |")
                lines.append("\(number) | \(excerpt)")
                lines.append("\(gutter) | \(String(repeating: " ", count: caret))^")
            }
            if let hint { lines.append("\(gutter) = help: \(hint)") }
        } else if let hint {
            lines.append(" = help: \(hint)")
        }
        return lines.joined(separator: "\n")
    }

    /// The most characters of the offending line a diagnostic quotes.
    static let excerptWidth = 100

    /// The part of `line` a diagnostic quotes (all of it when short, else `excerptWidth`
    /// characters around `column`, cut ends marked with `…`) and how many characters precede
    /// the caret.
    static func excerpt(of line: String, column: Int) -> (text: String, caret: Int) {
        guard line.count > excerptWidth else { return (line, column - 1) }
        let characters = Array(line)
        let start = max(0, min(column - 1 - excerptWidth / 2, characters.count - excerptWidth))
        let end = min(characters.count, start + excerptWidth)
        let text = (start > 0 ? "…" : "") + String(characters[start..<end]) + (end < characters.count ? "…" : "")
        return (text, column - 1 - start + (start > 0 ? 1 : 0))
    }
}
