/// The parsers that take untrusted input, each as a libFuzzer target.
///
/// A target feeds one input to the real code and checks the promises that code documents (a
/// round trip gives the value back, two decoders agree, an error points inside the text). A
/// broken promise is thrown as a `FuzzFinding`; a crash or a sanitizer report ends the process.
/// `aw-fuzz` runs the targets under libFuzzer; the `AWFuzzTests` suite replays the stored
/// corpus and every regression input through the same code on each test run.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// query2 text: lexer, parser, and the interpreter over a real in-memory datastore.
    case query
    /// JSON documents: the parser, the writer and the canonical-text fast path.
    case json
    /// Event lists and buckets as REST clients send them (the bulk-insert decoder).
    case events
    /// RFC 3339 timestamps and `start/end` periods.
    case timestamp
    /// `config.toml`: the TOML reader and every section the server reads.
    case config
    /// `multipart/form-data` uploads (the dashboard's import).
    case multipart
    /// Deep and long documents for the targets above, expanded from small recipes.
    case shapes

    /// Feeds one input to the target.
    ///
    /// - Throws: `FuzzFinding` when the code broke one of its promises for this input.
    public func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        switch self {
        case .query: try QueryFuzzing.run(input)
        case .json: try JSONFuzzing.run(input)
        case .events: try EventFuzzing.run(input)
        case .timestamp: try TimestampFuzzing.run(input)
        case .config: try ConfigFuzzing.run(input)
        case .multipart: try MultipartFuzzing.run(input)
        case .shapes: try ShapeFuzzing.run(input)
        }
    }
}

/// A promise the code broke for some input.
public struct FuzzFinding: Error, CustomStringConvertible {
    /// What went wrong, with the values involved.
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Throws a finding unless `condition` holds.
func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws(FuzzFinding) {
    if !condition { throw FuzzFinding(message()) }
}
