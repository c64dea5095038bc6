import AWCore
import Logging

/// Runs a parsed query for one time period, in a fresh environment holding `TIMEINTERVAL` and
/// every built-in function (functions live among the variables, so they can be passed around
/// and shadowed, as in aw-server-rust).
struct Interpreter {
    let source: String
    let dataSource: any QueryDataSource
    let logger: Logger
    /// The events this run may still read from the data source.
    let eventBudget: EventBudget
    /// When the run must stop, and the limits it came from (for the message).
    let deadline: ContinuousClock.Instant
    let limits: QueryLimits
    var variables: [String: Value]

    init(
        source: String, period: TimePeriod, dataSource: any QueryDataSource, limits: QueryLimits,
        deadline: ContinuousClock.Instant, logger: Logger
    ) {
        self.source = source
        self.dataSource = dataSource
        self.logger = logger
        self.eventBudget = EventBudget(limit: limits.maximumEvents)
        self.deadline = deadline
        self.limits = limits
        var variables = Builtins.all.mapValues { Value.function($0.name) }
        variables["TIMEINTERVAL"] = .string(Self.timeInterval(period))
        self.variables = variables
    }

    /// `TIMEINTERVAL` as aw-server-rust writes it: both bounds in UTC with `+00:00`.
    static func timeInterval(_ period: TimePeriod) -> String {
        func text(_ timestamp: Timestamp) -> String { String(timestamp.rfc3339.dropLast()) + "+00:00" }
        return "\(text(period.start))/\(text(period.end))"
    }

    /// Runs the statements and returns what `RETURN` holds at the end.
    mutating func run(_ statements: [Statement]) async throws(QueryError) -> Value {
        try await execute(statements)
        guard let result = variables["RETURN"] else {
            throw QueryError(
                .invalid, "the query never sets RETURN", hint: "end it with 'return <value>;' or 'RETURN = <value>;'")
        }
        return result
    }

    func location(_ offset: Int) -> SourceLocation { SourceLocation(offset: offset, in: source) }

    /// Stops the run once its deadline has passed or its task is cancelled. Checked before every
    /// statement, call and operator, so a run stops on time even where nothing else gets a
    /// thread to cancel it.
    private func checkCancellation(at offset: Int) throws(QueryError) {
        if ContinuousClock.now > deadline { throw limits.timeoutError }
        if Task.isCancelled {
            throw QueryError(.invalid, "the query was stopped before it finished", at: location(offset))
        }
    }

    mutating func execute(_ statements: [Statement]) async throws(QueryError) {
        for statement in statements {
            switch statement {
            case .assign(let name, let expression, _):
                variables[name] = try checkedSize(await evaluate(expression), at: expression.offset)
            case .return(let expression, _):
                variables["RETURN"] = try checkedSize(await evaluate(expression), at: expression.offset)
            case .expression(let expression):
                _ = try await evaluate(expression)
            case .if(let branches, _):
                for branch in branches {
                    if let condition = branch.condition {
                        let value = try await evaluate(condition)
                        guard case .bool(let holds) = value else {
                            throw QueryError(
                                .invalid, "the condition must be true or false, but it is \(value.typeDescription)",
                                at: location(condition.offset), hint: "compare with '==', e.g. 'if x == 1 { … }'")
                        }
                        guard holds else { continue }
                    }
                    try await execute(branch.body)
                    break
                }
            }
        }
    }

    mutating func evaluate(_ expression: Expression) async throws(QueryError) -> Value {
        switch expression {
        case .number(let value, _): return .number(value)
        case .string(let value, _): return .string(value)
        case .bool(let value, _): return .bool(value)
        case .variable(let name, let at):
            guard let value = variables[name] else {
                throw QueryError(.invalid, "unknown variable '\(name)'", at: location(at), hint: suggestion(for: name))
            }
            return value
        case .list(let elements, _):
            var values: [Value] = []
            values.reserveCapacity(elements.count)
            for element in elements { values.append(try await evaluate(element)) }
            return .list(values)
        case .dict(let entries, _):
            var values: [String: Value] = [:]
            for entry in entries { values[entry.key] = try await evaluate(entry.value) }
            return .dict(values)
        case .chain(let first, let links, _):
            return try await evaluateChain(first, links)
        case .call(let name, let argumentExpressions, let at):
            try checkCancellation(at: at)
            var arguments: [Value] = []
            for argument in argumentExpressions { arguments.append(try await evaluate(argument)) }
            guard let callee = variables[name] else {
                throw QueryError(.invalid, "unknown function '\(name)'", at: location(at), hint: suggestion(for: name))
            }
            guard case .function(let functionName) = callee, let builtin = Builtins.all[functionName] else {
                throw QueryError(
                    .invalid, "'\(name)' is not a function, it is \(callee.typeDescription)", at: location(at))
            }
            let call = Call(
                name: name, builtin: builtin, arguments: arguments,
                locations: argumentExpressions.map { location($0.offset) },
                location: location(at), timeInterval: variables["TIMEINTERVAL"], dataSource: dataSource,
                eventBudget: eventBudget, logger: logger)
            try call.checkArity()
            return try await builtin.body(call)
        }
    }

    /// A value about to be kept in a variable, refused when it has grown past `Value.maximumSize`
    /// or nests deeper than `Value.maximumDepth`.
    ///
    /// Only values kept in variables can be reused, so only they can grow by doubling
    /// (`a = a + a;`, `a = [a, a];`) or deepen statement after statement (`a = [a];`); checking
    /// them bounds everything a query builds.
    private func checkedSize(_ value: Value, at offset: Int) throws(QueryError) -> Value {
        try checkCancellation(at: offset)
        guard value.expandedSize(limit: Value.maximumSize) <= Value.maximumSize else {
            throw tooLarge(at: offset)
        }
        guard value.depth(limit: Value.maximumDepth) <= Value.maximumDepth else {
            throw QueryError(
                .invalid, "this value would nest deeper than a query may build (\(Value.maximumDepth) levels)",
                at: location(offset), hint: "keep lists and dictionaries flatter")
        }
        return value
    }

    /// `first op operand op operand …`, left to right. Each step reuses the running value's
    /// storage when nothing else holds it, and the size check counts the running value once,
    /// so a long chain costs time in proportion to its length.
    private mutating func evaluateChain(_ first: Expression, _ links: [ChainLink]) async throws(QueryError) -> Value {
        var value = try await evaluate(first)
        var size: Int?
        for link in links {
            try checkCancellation(at: link.at)
            let operand = try await evaluate(link.operand)
            if link.op == .add {
                let total =
                    (size ?? value.expandedSize(limit: Value.maximumSize))
                    + operand.expandedSize(limit: Value.maximumSize)
                guard total <= Value.maximumSize else { throw tooLarge(at: link.at) }
                size = total
            } else {
                size = nil
            }
            if link.op != .add || !value.append(operand) {
                value = try apply(link.op, value, operand, at: link.at)
            }
        }
        return value
    }

    private func tooLarge(at offset: Int) -> QueryError {
        QueryError(
            .invalid, "this value would be larger than a query may build (\(Value.maximumSize) elements)",
            at: location(offset), hint: "narrow the period, or limit the events with limit_events()")
    }

    private func apply(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value, at offset: Int) throws(QueryError) -> Value {
        func invalid(_ message: String) -> QueryError { QueryError(.invalid, message, at: location(offset)) }
        switch op {
        case .equals:
            guard let equal = lhs.isEqual(to: rhs) else {
                throw invalid("cannot compare \(lhs.typeDescription) with \(rhs.typeDescription) using '=='")
            }
            return .bool(equal)
        case .add:
            switch (lhs, rhs) {
            case (.number(let a), .number(let b)): return .number(a + b)
            case (.string(let a), .string(let b)): return .string(a + b)
            case (.events(let a), .events(let b)): return .events(a + b)
            default:
                if let a = lhs.listElements, let b = rhs.listElements {
                    return (a.isEmpty ? rhs : nil) ?? (b.isEmpty ? lhs : nil) ?? .list(a + b)
                }
                throw invalid(
                    "cannot add \(rhs.typeDescription) to \(lhs.typeDescription) (use '+' on two numbers, two strings or two lists)"
                )
            }
        case .subtract, .multiply, .divide, .remainder:
            guard case .number(let a) = lhs, case .number(let b) = rhs else {
                throw invalid(
                    "'\(op.rawValue)' needs two numbers, got \(lhs.typeDescription) and \(rhs.typeDescription)")
            }
            switch op {
            case .subtract: return .number(a - b)
            case .multiply: return .number(a * b)
            case .divide:
                if b == 0 { throw invalid("division by zero") }
                return .number(a / b)
            default: return .number(a.truncatingRemainder(dividingBy: b))
            }
        }
    }

    /// "did you mean 'flood'?" for a name close to a known one. Names longer than 64 characters,
    /// or far longer or shorter than every known one, get no suggestion (and cost nothing to
    /// compare).
    func suggestion(for name: String) -> String? {
        guard name.count <= 64 else { return nil }
        let allowed = max(1, name.count / 3)
        let candidates = variables.keys.filter { abs($0.count - name.count) <= allowed }
            .map { ($0, editDistance(name.lowercased(), $0.lowercased())) }
            .filter { $0.1 <= allowed }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        return candidates.first.map { "did you mean '\($0.0)'?" }
    }
}

/// The Levenshtein distance between two strings.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(1, a.count) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(1, b.count) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : (b.isEmpty ? a.count : previous[b.count])
}
