import AWCore
import AWTransform

extension Builtins {
    /// `categorize` and `tag`, with rules in the web UI's format.
    static let categorization: [Builtin] = [
        Builtin(
            "categorize",
            "categorize(events, [[[\"Category\", \"Sub\"], {\"type\": \"regex\", \"regex\": \"…\"}], ...])",
            arity: 2...2
        ) { call throws(QueryError) in
            let rules = try ruleList(call).map { entry throws(QueryError) -> (category: [String], rule: Rule) in
                guard let names = entry.label.listElements else {
                    throw call.error(
                        1,
                        "each categorization rule must start with a list of category names, got \(entry.label.typeDescription)"
                    )
                }
                var category: [String] = []
                for name in names {
                    guard case .string(let text) = name else {
                        throw call.error(1, "category names must be strings, got \(name.typeDescription)")
                    }
                    category.append(text)
                }
                return (category, entry.rule)
            }
            let events = try call.events(0)
            do throws(RuleMatchError) {
                return .events(try Transform.categorize(events, rules: rules))
            } catch {
                let name = rules[error.index].category.joined(separator: " > ")
                throw tooCostly(call, error, "category '\(name)'")
            }
        },
        Builtin("tag", "tag(events, [[\"tag\", {\"type\": \"regex\", \"regex\": \"…\"}], ...])", arity: 2...2) {
            call throws(QueryError) in
            let rules = try ruleList(call).map { entry throws(QueryError) -> (tag: String, rule: Rule) in
                guard case .string(let name) = entry.label else {
                    throw call.error(
                        1, "each tagging rule must start with the tag's name, got \(entry.label.typeDescription)")
                }
                return (name, entry.rule)
            }
            let events = try call.events(0)
            do throws(RuleMatchError) {
                return .events(try Transform.tag(events, rules: rules))
            } catch {
                throw tooCostly(call, error, "tag '\(rules[error.index].tag)'")
            }
        },
    ]

    /// The error for a rule whose regex PCRE2 gave up on: it names the rule, so that the user
    /// can find and fix it (treating it as no match would miscount time without a word).
    private static func tooCostly(_ call: Call, _ error: RuleMatchError, _ rule: String) -> QueryError {
        call.error(
            1, "rule \(error.index + 1) (\(rule)) cannot be applied: \(error.error.description)",
            hint: "simplify that rule's regex in the category settings")
    }

    /// The second argument as `[label, rule]` pairs, rules compiled.
    private static func ruleList(_ call: Call) throws(QueryError) -> [(label: Value, rule: Rule)] {
        var result: [(label: Value, rule: Rule)] = []
        for (position, entry) in try call.list(1).enumerated() {
            guard let pair = entry.listElements, pair.count >= 2 else {
                throw call.error(1, "rule \(position + 1) must be a list [name, rule], got \(entry.typeDescription)")
            }
            guard let json = pair[1].json else { throw call.error(1, "rule \(position + 1) must be a dictionary") }
            do throws(RuleError) {
                result.append((pair[0], try Rule(json: json)))
            } catch {
                throw call.error(1, "rule \(position + 1) is invalid: \(error.description)")
            }
        }
        return result
    }
}
