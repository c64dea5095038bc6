/// A lexical token of query2.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        case number(Double)
        case string(String)
        case bool(Bool)
        case `if`, elif, `else`, `return`
        case equalsEquals, equals, plus, minus, star, slash, percent
        case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
        case comma, colon, semicolon
        case end
    }

    var kind: Kind
    /// Where the token starts (byte offset).
    var offset: Int

    /// How the token reads in a diagnostic: `'x'`, `number 1`, `end of query`.
    var description: String {
        switch kind {
        case .identifier(let name): return "'\(name)'"
        case .number(let value): return "number \(Value.number(value).shortDescription)"
        case .string: return "a string"
        case .bool(let value): return "'\(value)'"
        case .if: return "'if'"
        case .elif: return "'elif'"
        case .else: return "'else'"
        case .return: return "'return'"
        case .equalsEquals: return "'=='"
        case .equals: return "'='"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .percent: return "'%'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .comma: return "','"
        case .colon: return "':'"
        case .semicolon: return "';'"
        case .end: return "the end of the query"
        }
    }
}
