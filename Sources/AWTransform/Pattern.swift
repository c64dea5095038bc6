import CPCRE2

/// A regular expression as ActivityWatch rules write them (the syntax of Rust's `regex` and
/// `fancy-regex` crates: inline flags such as `(?i)`, Unicode classes, look-around, back
/// references), compiled once with PCRE2 in UTF-8 mode and JIT-compiled when possible.
///
/// Matching is a search: the pattern may match anywhere in the text. A search gives up, with an
/// error rather than a guess, past `matchLimit` backtracking steps, 64 MiB of backtracking memory
/// (interpreted) or a 1 MiB stack (JIT-compiled), so no pattern and text can stall or exhaust
/// the process. Not thread-safe; use one instance per transform call.
public final class Pattern {
    /// The most backtracking steps one search may take: a tenth of PCRE2's default, the same as
    /// the backtracking limit of the `fancy-regex` crate aw-server-rust uses. On this machine the
    /// costliest patterns found reach it within about a second; ordinary rules on window titles
    /// need a few hundred steps.
    public static let matchLimit: UInt32 = 1_000_000

    /// The pattern as written.
    public let source: String
    private let code: OpaquePointer
    private let matchData: OpaquePointer
    private let matchContext: OpaquePointer
    private let jitStack: OpaquePointer?

    /// Compiles `source`.
    ///
    /// - Parameters:
    ///   - source: The regular expression.
    ///   - ignoreCase: Match letters regardless of case (as the `(?i)` flag).
    /// - Throws: `PatternError` naming the problem and its position in the pattern.
    public init(_ source: String, ignoreCase: Bool = false) throws(PatternError) {
        self.source = source
        var errorCode: Int32 = 0
        var errorOffset = 0
        var options = UInt32(PCRE2_UTF | PCRE2_UCP)
        if ignoreCase { options |= UInt32(PCRE2_CASELESS) }
        var text = source
        let compiled = text.withUTF8 { utf8 in
            pcre2_compile_8(utf8.baseAddress, utf8.count, options, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw PatternError(pattern: source, reason: Self.message(for: errorCode), offset: errorOffset)
        }
        pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE))  // falls back to the interpreter if JIT is unavailable
        let data = pcre2_match_data_create_from_pattern_8(compiled, nil)
        let context = pcre2_match_context_create_8(nil)
        guard let data, let context else {
            pcre2_match_data_free_8(data)
            pcre2_match_context_free_8(context)
            pcre2_code_free_8(compiled)
            throw PatternError(pattern: source, reason: "out of memory", offset: 0)
        }
        pcre2_set_match_limit_8(context, Self.matchLimit)
        pcre2_set_depth_limit_8(context, Self.matchLimit)
        pcre2_set_heap_limit_8(context, 64 * 1024)  // KiB
        // Allocated as the JIT code grows into it, up to 1 MiB (PCRE2's default is 32 KiB on the
        // machine stack, too little for some ordinary patterns on long titles).
        jitStack = pcre2_jit_stack_create_8(32 * 1024, 1024 * 1024, nil)
        if let jitStack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack)) }
        code = compiled
        matchData = data
        matchContext = context
    }

    deinit {
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
        pcre2_match_context_free_8(matchContext)
        pcre2_match_data_free_8(matchData)
        pcre2_code_free_8(code)
    }

    /// Whether the pattern matches somewhere in `text`.
    ///
    /// - Throws: `PatternMatchError` when PCRE2 gives up before it can tell (the pattern
    ///   backtracks past its limits on this text, e.g. nested repetition such as `(a+)+$`).
    public func matches(_ text: String) throws(PatternMatchError) -> Bool {
        try search(text) { _, count in count > 0 }
    }

    /// The first match in `text`: the whole match, then each capture group (`nil` for a group
    /// that took no part in the match). `nil` when there is no match.
    ///
    /// - Throws: `PatternMatchError` when PCRE2 gives up before it can tell.
    public func firstMatch(in text: String) throws(PatternMatchError) -> [String?]? {
        try search(text) { utf8, count -> [String?]? in
            guard count > 0, let offsets = pcre2_get_ovector_pointer_8(matchData) else { return nil }
            return (0..<Int(count)).map { group in
                let start = offsets[2 * group], end = offsets[2 * group + 1]
                guard start != ~0, end >= start else { return nil }  // PCRE2_UNSET
                return String(decoding: UnsafeBufferPointer(rebasing: utf8[start..<end]), as: UTF8.self)
            }
        }
    }

    /// Runs one search of `text` and hands `body` the text and PCRE2's result (0 for no match,
    /// else the number of groups set).
    private func search<Result>(
        _ text: String, _ body: (UnsafeBufferPointer<UInt8>, Int32) -> Result
    ) throws(PatternMatchError) -> Result {
        var text = text
        let outcome = text.withUTF8 { utf8 -> (Int32, Result?) in
            // An empty buffer may have no base address; PCRE2 needs a valid pointer.
            let subject = utf8.baseAddress ?? UnsafePointer(bitPattern: 1)!
            let count = pcre2_match_8(
                code, subject, utf8.count, 0, UInt32(PCRE2_NO_UTF_CHECK), matchData, matchContext)
            return (count, count >= 0 || count == PCRE2_ERROR_NOMATCH ? body(utf8, max(0, count)) : nil)
        }
        guard let result = outcome.1 else {
            throw PatternMatchError(
                pattern: source, reason: Self.message(for: outcome.0), textLength: text.unicodeScalars.count)
        }
        return result
    }

    private static func message(for errorCode: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
        return length > 0 ? String(decoding: buffer.prefix(Int(length)), as: UTF8.self) : "error \(errorCode)"
    }
}

/// A regular expression that does not compile.
public struct PatternError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written.
    public var pattern: String
    /// What PCRE2 reports.
    public var reason: String
    /// The byte offset in the pattern where the problem was found.
    public var offset: Int

    public var description: String { "invalid regular expression '\(pattern)': \(reason) (at offset \(offset))" }
}

/// A regular expression PCRE2 gave up on for some text: it would backtrack past the limits of
/// `Pattern` (a million steps, or its stack or memory), which patterns with nested repetition such as `(a+)+$` or
/// `(\w|\d)*x` do on long texts that almost match. The search cannot tell whether it matches.
public struct PatternMatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written.
    public var pattern: String
    /// What PCRE2 reports, e.g. "match limit exceeded".
    public var reason: String
    /// The length in characters of the text it gave up on.
    public var textLength: Int

    public var description: String {
        "the regular expression '\(pattern)' is too costly for a text of \(textLength) characters (\(reason)); avoid nested repetition such as (a+)+"
    }
}
