/// A syntax error in a JSON document.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. "expected ',' or '}' after an object member".
    public var reason: String
    /// The byte offset in the document where the problem was found.
    public var offset: Int

    public init(reason: String, offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String { "\(reason) (at byte \(offset))" }
}

extension JSON {
    /// The deepest nesting of arrays and objects the parser accepts.
    public static let maximumDepth = 512

    /// Parses a complete JSON document.
    ///
    /// - Parameter bytes: UTF-8 encoded JSON text.
    /// - Returns: The parsed value.
    /// - Throws: `JSONParseError` naming the problem and its byte offset.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSON {
        var parser = JSONParser(bytes: bytes)
        return try parser.parseDocument()
    }

    /// Parses a complete JSON document from bytes.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSON {
        let result: Result<JSON, JSONParseError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) -> JSON in try parse(buffer) }
        }
        return try result.get()
    }

    /// Parses a complete JSON document from text.
    public static func parse(_ text: String) throws(JSONParseError) -> JSON {
        var text = text
        let result: Result<JSON, JSONParseError> = text.withUTF8 { buffer in
            Result { () throws(JSONParseError) -> JSON in try parse(UnsafeRawBufferPointer(buffer)) }
        }
        return try result.get()
    }
}

/// A recursive-descent JSON parser over a byte buffer.
struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    var index = 0
    var depth = 0
    /// Reusable buffers of `writeCanonicalObject`, one per nesting level.
    var canonicalScratch: [(bytes: [UInt8], members: [(key: String, value: Range<Int>)])] = []

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONParseError) -> JSON {
        skipWhitespace()
        if index >= bytes.count { throw fail("the document is empty") }
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw fail("unexpected \(describeCurrent()) after the JSON value") }
        return value
    }

    func fail(_ reason: String) -> JSONParseError {
        JSONParseError(reason: reason, offset: index)
    }

    func describeCurrent() -> String {
        guard index < bytes.count else { return "end of input" }
        let byte = bytes[index]
        if byte >= 0x21 && byte < 0x7F { return "character '\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONParseError) -> JSON {
        guard index < bytes.count else { throw fail("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object(try parseObject())
        case UInt8(ascii: "["): return .array(try parseArray())
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected \(describeCurrent()), expected a value")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("invalid literal, expected '\(literal)'") }
        let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: count)
        for offset in 0..<count where bytes[index + offset] != expected[offset] {
            throw fail("invalid literal, expected '\(literal)'")
        }
        index += count
    }

    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > JSON.maximumDepth { throw fail("nesting deeper than \(JSON.maximumDepth) levels") }
    }

    /// Steps over the opening bracket of an array or object (at `index`) and any whitespace.
    ///
    /// - Returns: `false` when the container is empty (its closing bracket is consumed too).
    mutating func openContainer(closing: UInt8) throws(JSONParseError) -> Bool {
        index += 1
        skipWhitespace()
        if index < bytes.count && bytes[index] == closing {
            index += 1
            return false
        }
        return true
    }

    /// Reads an object member's key and the colon after it, leaving `index` at the value.
    mutating func parseMemberKey() throws(JSONParseError) -> String {
        try startMemberKey()
        let key = try parseString()
        try endMemberKey()
        return key
    }

    /// Steps to the opening quote of a member's key, which must be there.
    @inline(__always)
    mutating func startMemberKey() throws(JSONParseError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
            throw fail("expected a string key in object, found \(describeCurrent())")
        }
    }

    /// After a member's key: consumes the colon, leaving `index` at the value.
    @inline(__always)
    mutating func endMemberKey() throws(JSONParseError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
            throw fail("expected ':' after object key, found \(describeCurrent())")
        }
        index += 1
        skipWhitespace()
    }

    /// The string at `index` (its opening quote) when it is written plainly: no escapes, no
    /// control characters, valid UTF-8, so its bytes are its text and also its canonical JSON
    /// form. Returns the range of its bytes between the quotes and steps past the closing quote;
    /// any other string returns `nil` with `index` unchanged, for `parseString` to read or reject.
    @inline(__always)
    mutating func scanPlainString() -> Range<Int>? {
        let start = index + 1
        var end = start
        var ascii = true
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            if byte >= 0x80 { ascii = false }
            end += 1
        }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\""),
            ascii || String(validating: bytes[start..<end], as: UTF8.self) != nil
        else { return nil }
        index = end + 1
        return start..<end
    }

    /// After an element or member: consumes the `,` and returns `true` when another follows, or
    /// consumes the closing bracket and returns `false`.
    @inline(__always)
    mutating func moreElements(closing: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        if index < bytes.count && bytes[index] == closing {
            index += 1
            return false
        }
        guard index < bytes.count && bytes[index] == UInt8(ascii: ",") else { throw missingSeparator(closing: closing) }
        index += 1
        skipWhitespace()
        return true
    }

    /// What `moreElements` reports when neither a comma nor the closing bracket follows.
    func missingSeparator(closing: UInt8) -> JSONParseError {
        let container = closing == UInt8(ascii: "}") ? "object" : "array"
        guard index < bytes.count else { return fail("unexpected end of input inside an \(container)") }
        return fail(
            "expected ',' or '\(Character(Unicode.Scalar(closing)))' in \(container), found \(describeCurrent())")
    }

    mutating func parseObject() throws(JSONParseError) -> [String: JSON] {
        try enterContainer()
        defer { depth -= 1 }
        var object: [String: JSON] = [:]
        guard try openContainer(closing: UInt8(ascii: "}")) else { return object }
        repeat {
            let key = try parseMemberKey()
            object[key] = try parseValue()
        } while try moreElements(closing: UInt8(ascii: "}"))
        return object
    }

    mutating func parseArray() throws(JSONParseError) -> [JSON] {
        try enterContainer()
        defer { depth -= 1 }
        var array: [JSON] = []
        guard try openContainer(closing: UInt8(ascii: "]")) else { return array }
        repeat {
            array.append(try parseValue())
        } while try moreElements(closing: UInt8(ascii: "]"))
        return array
    }

    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let string = try UnsafeRawBufferPointer(rebasing: bytes[start..<index]).withMemoryRebound(
                    to: UInt8.self
                ) { utf8 throws(JSONParseError) in try makeString(utf8, at: start) }
                index += 1
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("control character in string (escape it)") }
            index += 1
        }
        var buffer = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try buffer.withUnsafeBufferPointer { utf8 throws(JSONParseError) in
                    try makeString(utf8, at: start)
                }
            case UInt8(ascii: "\\"):
                index += 1
                try appendEscape(to: &buffer)
            case 0..<0x20:
                throw fail("control character in string (escape it)")
            default:
                buffer.append(byte)
                index += 1
            }
        }
        throw fail("unterminated string")
    }

    func makeString(_ utf8: UnsafeBufferPointer<UInt8>, at offset: Int) throws(JSONParseError) -> String {
        // ASCII needs no validation (and this is the common case: keys, app names).
        if utf8.allSatisfy({ $0 < 0x80 }) { return String(decoding: utf8, as: UTF8.self) }
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw JSONParseError(reason: "string is not valid UTF-8", offset: offset)
        }
        return string
    }

    mutating func appendEscape(to buffer: inout [UInt8]) throws(JSONParseError) {
        guard index < bytes.count else { throw fail("unterminated escape sequence") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw fail("unpaired UTF-16 surrogate in \\u escape") }
                index += 2
                let low = try readHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid UTF-16 surrogate pair") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw fail("unpaired UTF-16 surrogate in \\u escape")
            }
            buffer.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        default:
            index -= 2
            throw fail("invalid escape sequence '\\\(Character(Unicode.Scalar(byte)))'")
        }
    }

    mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    mutating func parseNumber() throws(JSONParseError) -> JSON {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var overflow = false
        let integerStart = index
        while index < bytes.count, let digit = digitValue(bytes[index]) {
            if mantissa > (UInt64.max - 9) / 10 { overflow = true } else { mantissa = mantissa * 10 + UInt64(digit) }
            digits += 1
            index += 1
        }
        if digits == 0 { throw fail("invalid number: expected a digit") }
        if digits > 1 && bytes[integerStart] == UInt8(ascii: "0") {
            index = integerStart
            throw fail("invalid number: leading zeros are not allowed")
        }
        var isInteger = true
        var fractionDigits = 0
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let fractionStart = index
            while index < bytes.count, let digit = digitValue(bytes[index]) {
                if mantissa > (UInt64.max - 9) / 10 {
                    overflow = true
                } else {
                    mantissa = mantissa * 10 + UInt64(digit)
                    fractionDigits += 1
                }
                index += 1
            }
            if index == fractionStart { throw fail("invalid number: expected a digit after '.'") }
        }
        var exponent = 0
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            isInteger = false
            index += 1
            var negativeExponent = false
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                negativeExponent = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var exponentDigits = 0
            while index < bytes.count, let digit = digitValue(bytes[index]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(digit) }
                exponentDigits += 1
                index += 1
            }
            if exponentDigits == 0 { throw fail("invalid number: expected a digit in the exponent") }
            if negativeExponent { exponent = -exponent }
        }
        if isInteger && !overflow {
            if negative {
                if mantissa <= UInt64(Int64.max) + 1 {
                    return .int(mantissa == UInt64(Int64.max) + 1 ? .min : -Int64(mantissa))
                }
            } else if mantissa <= UInt64(Int64.max) {
                return .int(Int64(mantissa))
            }
        }
        // Exact fast path (Clinger): the mantissa and the power of ten are both exact doubles.
        let decimalExponent = exponent - fractionDigits
        if !overflow && mantissa < (1 << 53) && abs(decimalExponent) <= 22 {
            var value = Double(mantissa)
            value = decimalExponent < 0 ? value / powersOfTen[-decimalExponent] : value * powersOfTen[decimalExponent]
            return .double(negative ? -value : value)
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            index = start
            throw fail("number \(text) is out of range")
        }
        return .double(value)
    }

    @inline(__always)
    func digitValue(_ byte: UInt8) -> UInt8? {
        let digit = byte &- UInt8(ascii: "0")
        return digit < 10 ? digit : nil
    }
}

private let powersOfTen: [Double] = (0...22).map { exponent in
    var value = 1.0
    for _ in 0..<exponent { value *= 10 }
    return value
}
