import AWCore

extension Transform {
    /// Makes window titles comparable, as aw-core's `simplify_string`: removes a leading `(N) `
    /// counter ("(2) Inbox"), and for window events' titles also an FPS counter
    /// ("FPS: 59.2" becomes "FPS: ...") and a leading unsaved-changes mark (`●` or `*`).
    public static func simplifyWindowTitles(_ events: [Event], key: String) -> [Event] {
        events.map { event in
            guard case .string(var text) = event.data[key] else { return event }
            text = dropCounterPrefix(text)
            if key == "title" && event.data["app"] != nil {
                text = maskFrameRates(text)
                if let first = text.first, first == "●" || first == "*" {
                    text = String(text.dropFirst().drop(while: \.isWhitespace))
                }
            }
            var event = event
            event.data[key] = .string(text)
            return event
        }
    }

    /// "(12) Title" becomes "Title".
    private static func dropCounterPrefix(_ text: String) -> String {
        guard text.first == "(" else { return text }
        let digits = text.dropFirst().prefix(while: \.isASCIIDigit)
        let rest = text.dropFirst(1 + digits.count)
        guard !digits.isEmpty, rest.first == ")" else { return text }
        return String(rest.dropFirst().drop(while: \.isWhitespace))
    }

    /// Every "FPS:" followed by blanks and a number becomes "FPS: ...".
    private static func maskFrameRates(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let range = rest.firstRange(of: "FPS:") {
            result += rest[..<range.upperBound]
            let afterLabel = rest[range.upperBound...]
            let blanks = afterLabel.prefix(while: \.isWhitespace)
            let number = afterLabel.dropFirst(blanks.count).prefix { $0.isASCIIDigit || $0 == "." }
            if !blanks.isEmpty && !number.isEmpty {
                result += " ..."
                rest = afterLabel.dropFirst(blanks.count + number.count)
            } else {
                rest = afterLabel
            }
        }
        return result + rest
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
