/// A recursive-descent parser for aw-server-rust's query2 grammar:
///
///     program   = { statement | ";" }
///     statement = if-chain | ("return" expr | IDENT "=" expr | expr) ";"
///     if-chain  = "if" expr block { "elif" expr block } [ "else" block ]
///     block     = "{" { statement | ";" } "}"
///     expr      = operand { ("+" | "-" | "*" | "/" | "%" | "==") operand }   (left to right, no precedence)
///     operand   = IDENT "(" [ expr { "," expr } ] ")" | IDENT | NUMBER | STRING | "true" | "false"
///               | "[" [ expr { "," expr } ] "]" | "{" [ STRING ":" expr { "," STRING ":" expr } ] "}" | "(" expr ")"
///
/// Brackets, parentheses, braces and `if` blocks may nest at most `maximumDepth` levels, so that
/// no query text can exhaust the stack of the parser or of the interpreter that walks the tree;
/// operator chains are kept flat and have no such limit.
struct Parser {
    /// The deepest nesting of brackets, parentheses, braces and `if` blocks a query may use.
    static let maximumDepth = 100

    let source: String
    private var tokens: [Token] = []
    private var position = 0
    private var depth = 0

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

    /// Parses what `token` opens, one nesting level deeper.
    ///
    /// - Throws: `QueryError` at `token` when that would nest deeper than `maximumDepth`.
    private mutating func nested<T>(in token: Token, _ body: (inout Parser) throws(QueryError) -> T) throws(QueryError)
        -> T
    {
        guard depth < Self.maximumDepth else {
            throw error(
                "the query nests deeper than \(Self.maximumDepth) levels here", at: token,
                hint: "brackets, parentheses, braces and if blocks each count as a level; use variables to flatten it")
        }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
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
        let opening = current
        try expect(.leftBrace, "'{' to start the block")
        return try nested(in: opening) { parser throws(QueryError) in try parser.blockBody() }
    }

    private mutating func blockBody() throws(QueryError) -> [Statement] {
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
        let first = try operand()
        var links: [ChainLink] = []
        while let op = binaryOperator(current.kind) {
            let at = current.offset
            advance()
            links.append(ChainLink(op: op, operand: try operand(), at: at))
        }
        return links.isEmpty ? first : .chain(first, links, at: links[0].at)
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
            let opening = current
            advance()
            let arguments = try nested(in: opening) { parser throws(QueryError) in
                try parser.elements(until: .rightParen, closing: "')'")
            }
            return .call(name, arguments: arguments, at: token.offset)
        case .leftBracket:
            advance()
            let elements = try nested(in: token) { parser throws(QueryError) in
                try parser.elements(until: .rightBracket, closing: "']'")
            }
            return .list(elements, at: token.offset)
        case .leftBrace:
            advance()
            return .dict(
                try nested(in: token) { parser throws(QueryError) in try parser.dictionaryEntries() }, at: token.offset)
        case .leftParen:
            advance()
            return try nested(in: token) { parser throws(QueryError) in
                let inner = try parser.expression()
                try parser.expect(.rightParen, "')'")
                return inner
            }
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
