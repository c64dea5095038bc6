/// The table of built-in functions, by name.
enum Builtins {
    static let all: [String: Builtin] = Dictionary(
        uniqueKeysWithValues: (buckets + transforms + categorization + other).map { ($0.name, $0) })
}
