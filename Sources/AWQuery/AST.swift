/// A query2 expression, with the byte offset of where it starts in the query text.
indirect enum Expression: Sendable {
    case number(Double, at: Int)
    case string(String, at: Int)
    case bool(Bool, at: Int)
    case variable(String, at: Int)
    case call(String, arguments: [Expression], at: Int)
    case list([Expression], at: Int)
    case dict([(key: String, value: Expression)], at: Int)
    /// `a + b - c …`: the first operand, then each operator with its right operand, applied left
    /// to right. A flat list rather than nested pairs, so that a chain of any length is evaluated
    /// (and freed) without recursion.
    case chain(Expression, [ChainLink], at: Int)

    /// Where the expression starts.
    var offset: Int {
        switch self {
        case .number(_, let at), .string(_, let at), .bool(_, let at), .variable(_, let at), .call(_, _, let at),
            .list(_, let at), .dict(_, let at), .chain(_, _, let at):
            return at
        }
    }
}

/// One step of an operator chain: `+ operand`.
struct ChainLink: Sendable {
    let op: BinaryOperator
    let operand: Expression
    /// Where the operator is.
    let at: Int
}

/// The binary operators; all have the same precedence and associate to the left.
enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%", equals = "=="
}

/// A query2 statement.
indirect enum Statement: Sendable {
    /// `name = value;`
    case assign(String, Expression, at: Int)
    /// `return value;` (sets `RETURN`; execution goes on)
    case `return`(Expression, at: Int)
    /// A bare expression, evaluated for its effects.
    case expression(Expression)
    /// `if c { … } elif c { … } else { … }`; an `else` block is a branch with no condition.
    case `if`([(condition: Expression?, body: [Statement])], at: Int)
}
