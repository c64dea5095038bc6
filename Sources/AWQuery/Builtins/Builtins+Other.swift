import AWCore

extension Builtins {
    /// `contains`, `print` and `nop`.
    static let other: [Builtin] = [
        Builtin("contains", "contains(list_or_dict, value)", arity: 2...2) { call throws(QueryError) in
            switch call.arguments[0] {
            case .dict(let entries):
                guard case .string(let key) = call.arguments[1] else {
                    throw call.error(
                        1,
                        "a dictionary can only be searched for a string key, got \(call.arguments[1].typeDescription)")
                }
                return .bool(entries[key] != nil)
            default:
                guard let elements = call.arguments[0].listElements else {
                    throw call.error(
                        0,
                        "argument 1 of 'contains' must be a list or a dictionary, got \(call.arguments[0].typeDescription)"
                    )
                }
                return .bool(elements.contains { $0.isEqual(to: call.arguments[1]) == true })
            }
        },
        Builtin("print", "print(value, ...)", arity: 0...Int.max) { call in
            call.logger.info("query print: \(call.arguments.map(\.shortDescription).joined(separator: ", "))")
            return .none
        },
        Builtin("nop", "nop()", arity: 0...0) { _ in .number(1) },
    ]
}
