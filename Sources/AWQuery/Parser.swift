/// A recursive-descent parser for aw-server-rust's query2 grammar:
///
///     program   = { statement | ";" }
///     statement = if-chain | ("return" expr | IDENT "=" expr | expr) ";"
///     if-chain  = "if" expr block { "elif" expr block } [ "else" block ]
///     block     = "{" { statement | ";" } "}"
///     expr      = operand { ("+" | "-" | "*" | "/" | "%" | "==") operand }   (left to right, no precedence)
///     operand   = IDENT "(" [ expr { "," expr } ] ")" | IDENT | NUMBER | STRING | "true" | "false"
///               | "[" [ expr { "," expr } ] "]" | "{" [ STRING ":" expr { "," STRING ":" expr } ] "}" | "(" expr ")"
struct Parser {
    let source: String
    private var tokens: [Token] = []
    private var position = 0

    init(source: String) {
        self.source = source
    }

    /// Parses the whole query.
    ///
    /// - Throws: `QueryError` at the first token that does not fit, saying what was expected.
    mutating func parse() throws(QueryError) -> [Statement] {
        tokens = try Lexer(source: source).tokens()
        position = 0
        var statements: [Statement] = []
        while current.kind != .end {
            if current.kind == .semicolon {
                advance()
                continue
            }
            statements.append(try statement())
        }
        return statements
    }

    private var current: Token { tokens[position] }
    private var next: Token { tokens[min(position + 1, tokens.count - 1)] }

    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    private func error(_ message: String, at token: Token? = nil, hint: String? = nil) -> QueryError {
        QueryError(.syntax, message, at: SourceLocation(offset: (token ?? current).offset, in: source), hint: hint)
    }

    private mutating func expect(_ kind: Token.Kind, _ what: String) throws(QueryError) {
        guard current.kind == kind else { throw error("expected \(what), found \(current.description)") }
        advance()
    }

    private mutating func statement() throws(QueryError) -> Statement {
        let start = current
        let result: Statement
        switch current.kind {
        case .if:
            return try ifChain()
        case .return:
            advance()
            result = .return(try expression(), at: start.offset)
        case .identifier(let name) where next.kind == .equals:
            advance()
            advance()
            result = .assign(name, try expression(), at: start.offset)
        case .elif, .else:
            throw error("'\(current.kind == .elif ? "elif" : "else")' without a preceding 'if'")
        default:
            result = .expression(try expression())
        }
        guard current.kind == .semicolon else {
            let hint =
                current.kind == .equals
                ? "only a plain variable name can be assigned to" : "every statement ends with ';'"
            throw error("expected ';' after the statement, found \(current.description)", hint: hint)
        }
        advance()
        return result
    }

    private mutating func ifChain() throws(QueryError) -> Statement {
        let start = current.offset
        var branches: [(condition: Expression?, body: [Statement])] = []
        advance()
        branches.append((try expression(), try block()))
        while current.kind == .elif {
            advance()
            branches.append((try expression(), try block()))
        }
        if current.kind == .else {
            advance()
            branches.append((nil, try block()))
        }
        return .if(branches, at: start)
    }

    private mutating func block() throws(QueryError) -> [Statement] {
        try expect(.leftBrace, "'{' to start the block")
        var statements: [Statement] = []
        while current.kind != .rightBrace {
            if current.kind == .end { throw error("expected '}' to close the block, found \(current.description)") }
            if current.kind == .semicolon {
                advance()
                continue
            }
            statements.append(try statement())
        }
        advance()
        return statements
    }

    private mutating func expression() throws(QueryError) -> Expression {
        var left = try operand()
        while let op = binaryOperator(current.kind) {
            let at = current.offset
            advance()
            left = .binary(op, left, try operand(), at: at)
        }
        return left
    }

    private func binaryOperator(_ kind: Token.Kind) -> BinaryOperator? {
        switch kind {
        case .plus: return .add
        case .minus: return .subtract
        case .star: return .multiply
        case .slash: return .divide
        case .percent: return .remainder
        case .equalsEquals: return .equals
        default: return nil
        }
    }

    private mutating func operand() throws(QueryError) -> Expression {
        let token = current
        switch token.kind {
        case .number(let value):
            advance()
            return .number(value, at: token.offset)
        case .string(let value):
            advance()
            return .string(value, at: token.offset)
        case .bool(let value):
            advance()
            return .bool(value, at: token.offset)
        case .identifier(let name):
            advance()
            guard current.kind == .leftParen else { return .variable(name, at: token.offset) }
            advance()
            return .call(name, arguments: try elements(until: .rightParen, closing: "')'"), at: token.offset)
        case .leftBracket:
            advance()
            return .list(try elements(until: .rightBracket, closing: "']'"), at: token.offset)
        case .leftBrace:
            advance()
            return .dict(try dictionaryEntries(), at: token.offset)
        case .leftParen:
            advance()
            let inner = try expression()
            try expect(.rightParen, "')'")
            return inner
        case .minus:
            throw error("expected an expression, found '-'", hint: "there are no negative literals; write 0 - 1")
        default:
            throw error("expected an expression, found \(token.description)")
        }
    }

    /// Comma-separated expressions up to the closing token (no trailing comma).
    private mutating func elements(until closing: Token.Kind, closing name: String) throws(QueryError) -> [Expression] {
        var result: [Expression] = []
        if current.kind == closing {
            advance()
            return result
        }
        while true {
            result.append(try expression())
            if current.kind == closing {
                advance()
                return result
            }
            guard current.kind == .comma else { throw error("expected ',' or \(name), found \(current.description)") }
            advance()
            if current.kind == closing {
                throw error(
                    "expected an expression after ',', found \(current.description)", hint: "remove the trailing ','")
            }
        }
    }

    private mutating func dictionaryEntries() throws(QueryError) -> [(key: String, value: Expression)] {
        var result: [(key: String, value: Expression)] = []
        if current.kind == .rightBrace {
            advance()
            return result
        }
        while true {
            guard case .string(let key) = current.kind else {
                throw error(
                    "expected a string key in the dictionary, found \(current.description)",
                    hint: "dictionary keys are string literals in double quotes")
            }
            advance()
            try expect(.colon, "':' after the dictionary key")
            result.append((key, try expression()))
            if current.kind == .rightBrace {
                advance()
                return result
            }
            guard current.kind == .comma else { throw error("expected ',' or '}', found \(current.description)") }
            advance()
        }
    }
}
