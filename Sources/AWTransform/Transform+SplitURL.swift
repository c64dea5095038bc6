import AWCore
import FoundationEssentials

extension Transform {
    /// Adds the parts of `data["url"]` to events whose url parses: `$protocol` (the scheme),
    /// `$domain` (the lower-cased host without port and without leading `www.`, or the scheme for
    /// URLs without a host such as `file:` or `about:`), `$path` (`/` when empty for web URLs)
    /// and `$params` (the query string, `""` if none). Other events are unchanged.
    public static func splitURLEvents(_ events: [Event]) -> [Event] {
        events.map { event in
            guard case .string(let url) = event.data["url"], let parts = urlParts(url) else { return event }
            var event = event
            for (key, value) in parts { event.data[key] = .string(value) }
            return event
        }
    }

    /// `text` without the spaces and tabs around it.
    private static func trimmingSpaces(_ text: String) -> String {
        let isSpace = { (character: Character) in character.isWhitespace && !character.isNewline }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(text[first...last])
    }

    /// The `$`-keys of a URL, or `nil` when it does not parse as an absolute URL.
    static func urlParts(_ text: String) -> [(String, String)]? {
        guard let components = URLComponents(string: Self.trimmingSpaces(text)),
            let scheme = components.scheme?.lowercased(), !scheme.isEmpty
        else { return nil }
        let special = ["http", "https", "ws", "wss", "ftp"].contains(scheme)
        var domain = components.host?.lowercased() ?? ""
        while domain.hasPrefix("www.") { domain.removeFirst(4) }
        if domain.isEmpty { domain = scheme }
        var path = components.percentEncodedPath
        if path.isEmpty && (special || components.host != nil) { path = "/" }
        return [
            ("$protocol", scheme), ("$domain", domain), ("$path", path),
            ("$params", components.percentEncodedQuery ?? ""),
        ]
    }
}
