import CPCRE2

/// A regular expression as ActivityWatch rules write them (the syntax of Rust's `regex` and
/// `fancy-regex` crates: inline flags such as `(?i)`, Unicode classes, look-around, back
/// references), compiled once with PCRE2 in UTF-8 mode and JIT-compiled when possible.
///
/// Matching is a search: the pattern may match anywhere in the text. Not thread-safe; use one
/// instance per transform call.
public final class Pattern {
    /// The pattern as written.
    public let source: String
    private let code: OpaquePointer
    private let matchData: OpaquePointer

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
        guard let data = pcre2_match_data_create_from_pattern_8(compiled, nil) else {
            pcre2_code_free_8(compiled)
            throw PatternError(pattern: source, reason: "out of memory", offset: 0)
        }
        code = compiled
        matchData = data
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_code_free_8(code)
    }

    /// Whether the pattern matches somewhere in `text`. A matching error (such as exceeding
    /// PCRE2's backtracking limit) counts as no match, as in aw-server-rust.
    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            // An empty buffer may have no base address; PCRE2 needs a valid pointer.
            let subject = utf8.baseAddress ?? UnsafePointer(bitPattern: 1)!
            return pcre2_match_8(code, subject, utf8.count, 0, UInt32(PCRE2_NO_UTF_CHECK), matchData, nil) >= 0
        }
    }

    /// The first match in `text`: the whole match, then each capture group (`nil` for a group
    /// that took no part in the match). `nil` when there is no match.
    public func firstMatch(in text: String) -> [String?]? {
        var text = text
        return text.withUTF8 { utf8 -> [String?]? in
            let subject = utf8.baseAddress ?? UnsafePointer(bitPattern: 1)!
            let count = pcre2_match_8(code, subject, utf8.count, 0, UInt32(PCRE2_NO_UTF_CHECK), matchData, nil)
            guard count > 0, let offsets = pcre2_get_ovector_pointer_8(matchData) else { return nil }
            return (0..<Int(count)).map { group in
                let start = offsets[2 * group], end = offsets[2 * group + 1]
                guard start != ~0, end >= start else { return nil }  // PCRE2_UNSET
                return String(decoding: UnsafeBufferPointer(rebasing: utf8[start..<end]), as: UTF8.self)
            }
        }
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
