/// Splits query2 text into tokens, following aw-server-rust's lexer: `#` comments, numbers
/// `[0-9]+(\.[0-9]*)?`, identifiers, the keywords `if elif else return`, `true false True False`,
/// and double-quoted strings whose only escape is `\"` (every other backslash stays as written,
/// so regular expressions need no doubling). Unlike the reference, a character it does not know
/// is an error rather than the silent end of the query.
struct Lexer {
    let source: String

    /// All tokens, ending with `.end`.
    ///
    /// - Throws: `QueryError` at an unknown character or an unterminated string.
    func tokens() throws(QueryError) -> [Token] {
        let bytes = Array(source.utf8)
        var tokens: [Token] = []
        var index = 0
        func error(_ message: String, at offset: Int, hint: String? = nil) -> QueryError {
            QueryError(.syntax, message, at: SourceLocation(offset: offset, in: source), hint: hint)
        }
        while index < bytes.count {
            let byte = bytes[index]
            let start = index
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                index += 1
            case UInt8(ascii: "#"):
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "\""):
                let (text, end) = try string(bytes, from: index, error: error)
                tokens.append(Token(kind: .string(text), offset: start))
                index = end
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                while index < bytes.count && isDigit(bytes[index]) { index += 1 }
                if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
                    index += 1
                    while index < bytes.count && isDigit(bytes[index]) { index += 1 }
                }
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                tokens.append(Token(kind: .number(Double(text.hasSuffix(".") ? text + "0" : text) ?? 0), offset: start))
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
                while index < bytes.count && (isIdentifierByte(bytes[index])) { index += 1 }
                let word = String(decoding: bytes[start..<index], as: UTF8.self)
                tokens.append(Token(kind: keyword(word) ?? .identifier(word), offset: start))
            default:
                let simple: Token.Kind?
                switch byte {
                case UInt8(ascii: "="):
                    if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "=") {
                        index += 1
                        simple = .equalsEquals
                    } else {
                        simple = .equals
                    }
                case UInt8(ascii: "+"): simple = .plus
                case UInt8(ascii: "-"): simple = .minus
                case UInt8(ascii: "*"): simple = .star
                case UInt8(ascii: "/"): simple = .slash
                case UInt8(ascii: "%"): simple = .percent
                case UInt8(ascii: "("): simple = .leftParen
                case UInt8(ascii: ")"): simple = .rightParen
                case UInt8(ascii: "["): simple = .leftBracket
                case UInt8(ascii: "]"): simple = .rightBracket
                case UInt8(ascii: "{"): simple = .leftBrace
                case UInt8(ascii: "}"): simple = .rightBrace
                case UInt8(ascii: ","): simple = .comma
                case UInt8(ascii: ":"): simple = .colon
                case UInt8(ascii: ";"): simple = .semicolon
                default: simple = nil
                }
                guard let simple else {
                    throw unknownCharacter(bytes, at: index, error: error)
                }
                tokens.append(Token(kind: simple, offset: start))
                index += 1
            }
        }
        tokens.append(Token(kind: .end, offset: bytes.count))
        return tokens
    }

    /// A string literal starting at the opening quote: the body runs to the first quote not
    /// preceded by a backslash (or, at the end of the text, to the last quote), and `\"` in it
    /// becomes `"`. Returns the value and the offset after the closing quote.
    private func string(_ bytes: [UInt8], from start: Int, error: (String, Int, String?) -> QueryError)
        throws(QueryError) -> (String, Int)
    {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var end: Int?
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == quote {
                end = index
                // A quote after a backslash may be an escaped one: the string goes on if it can.
                if !(bytes[index - 1] == backslash && index - 1 > start) { break }
            }
            index += 1
        }
        guard let end else { throw error("unterminated string", start, "add the closing '\"'") }
        var body: [UInt8] = []
        body.reserveCapacity(end - start)
        var position = start + 1
        while position < end {
            if bytes[position] == backslash && position + 1 < end && bytes[position + 1] == quote {
                body.append(quote)
                position += 2
            } else {
                body.append(bytes[position])
                position += 1
            }
        }
        return (String(decoding: body, as: UTF8.self), end + 1)
    }

    private func unknownCharacter(_ bytes: [UInt8], at index: Int, error: (String, Int, String?) -> QueryError)
        -> QueryError
    {
        let character = String(decoding: bytes[index...].prefix(4), as: UTF8.self).first.map(String.init) ?? "?"
        let hint: String?
        switch character {
        case "'": hint = "strings are written in double quotes"
        case "!", "<", ">": hint = "the only comparison is '=='"
        case ".": hint = "numbers start with a digit, e.g. 0.5"
        default: hint = nil
        }
        return error("unexpected character '\(character)'", index, hint)
    }

    private func keyword(_ word: String) -> Token.Kind? {
        switch word {
        case "if": return .if
        case "elif": return .elif
        case "else": return .else
        case "return": return .return
        case "true", "True": return .bool(true)
        case "false", "False": return .bool(false)
        default: return nil
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private func isIdentifierByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_")
    }
}
