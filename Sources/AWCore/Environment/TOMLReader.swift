/// Reads TOML 1.0 documents (config files) into JSON values: tables become objects, arrays of
/// tables arrays of objects, integers `.int`, floats `.double`; dates and times are kept as the
/// text they were written as.
///
/// Written for untrusted input: every malformed document gets a `TOMLSyntaxError` with its line
/// and column, and nothing is read past a NUL or other control character. Nesting is bounded:
/// tables (through headers and dotted keys), arrays and inline tables together may nest at most
/// `maximumDepth` levels, so no document can exhaust the stack of the reader or of the code
/// that walks the result.
struct TOMLReader {
    private let bytes: [UInt8]
    private var index = 0
    /// How many tables and arrays enclose the value being read.
    private var depth = 0
    /// The key whose value is being read, for messages.
    private var valueKey: String?
    /// The deepest nesting of tables and arrays a document may use.
    static let maximumDepth = 100

    /// Parses a whole document.
    ///
    /// - Throws: `TOMLSyntaxError` at the first problem.
    static func parse(_ text: String) throws(TOMLSyntaxError) -> [String: JSON] {
        var reader = TOMLReader(bytes: Array(text.utf8))
        return try reader.document()
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: Document structure

    /// A table being built. Tables are shared and grown in place as later headers and dotted
    /// keys add to them, hence a class.
    private final class Table {
        /// How the table came to exist, which decides what may still add to it.
        enum Origin {
            /// Named on the way to a header (`a` in `[a.b]`): a header may still define it, once.
            case implicit
            /// Defined by its own header, or an element of an array of tables.
            case header
            /// Created by a dotted key (`a.b = 1` creates `a`): more dotted keys may add to it.
            case dotted
        }

        var origin: Origin
        var entries: [String: Entry] = [:]

        init(origin: Origin) {
            self.origin = origin
        }

        var values: [String: JSON] {
            entries.mapValues { entry in
                switch entry {
                case .value(let value): value
                case .table(let table): .object(table.values)
                case .tables(let tables): .array(tables.map { .object($0.values) })
                }
            }
        }
    }

    private enum Entry {
        case value(JSON)
        case table(Table)
        case tables([Table])
    }

    private mutating func document() throws(TOMLSyntaxError) -> [String: JSON] {
        let root = Table(origin: .header)
        var current = root
        while true {
            try skipBlankLines()
            guard let byte = peek() else { break }
            if byte == UInt8(ascii: "[") {
                let start = index
                let isArray = peek(1) == UInt8(ascii: "[")
                index += isArray ? 2 : 1
                skipSpaces()
                let path = try keyPath()
                skipSpaces()
                guard take(isArray ? "]]" : "]") else {
                    throw error("expected '\(isArray ? "]]" : "]")' to close the table header")
                }
                current = try isArray ? appendTable(path, in: root, at: start) : defineTable(path, in: root, at: start)
                depth = path.count
            } else {
                try keyValue(into: current)
            }
            try endOfLine()
        }
        return root.values
    }

    /// `[a.b.c]`: the table at the path, created or defined now.
    private func defineTable(_ path: [String], in root: Table, at start: Int) throws(TOMLSyntaxError) -> Table {
        let parent = try headerParent(path, in: root, at: start)
        let key = path[path.count - 1]
        switch parent.entries[key] {
        case nil:
            let table = Table(origin: .header)
            parent.entries[key] = .table(table)
            return table
        case .table(let table) where table.origin == .implicit:
            table.origin = .header
            return table
        case .table:
            throw error("table [\(Self.dotted(path))] is defined more than once", at: start)
        case .tables:
            throw error("[\(Self.dotted(path))] is an array of tables; write [[\(Self.dotted(path))]]", at: start)
        case .value:
            throw error("key '\(Self.dotted(path))' already holds a value, not a table", at: start)
        }
    }

    /// `[[a.b.c]]`: a new table appended to the array at the path.
    private func appendTable(_ path: [String], in root: Table, at start: Int) throws(TOMLSyntaxError) -> Table {
        let parent = try headerParent(path, in: root, at: start)
        let key = path[path.count - 1]
        let table = Table(origin: .header)
        switch parent.entries[key] {
        case nil: parent.entries[key] = .tables([table])
        case .tables(let tables): parent.entries[key] = .tables(tables + [table])
        case .table, .value:
            throw error("'\(Self.dotted(path))' is already defined, so it cannot be an array of tables", at: start)
        }
        return table
    }

    /// The table holding the last key of a header's path, creating the ones on the way.
    private func headerParent(_ path: [String], in root: Table, at start: Int) throws(TOMLSyntaxError) -> Table {
        var table = root
        for (position, key) in path.dropLast().enumerated() {
            switch table.entries[key] {
            case nil:
                let created = Table(origin: .implicit)
                table.entries[key] = .table(created)
                table = created
            case .table(let existing):
                table = existing
            case .tables(let tables):
                table = tables[tables.count - 1]
            case .value:
                throw error(
                    "key '\(Self.dotted(path[...position]))' already holds a value, not a table", at: start)
            }
        }
        return table
    }

    /// `key = value` or `dotted.key = value`, stored in `table`.
    private mutating func keyValue(into table: Table) throws(TOMLSyntaxError) {
        let start = index
        let path = try keyPath()
        skipSpaces()
        guard take("=") else { throw error("expected '=' after the key '\(Self.dotted(path))'") }
        skipSpaces()
        let tables = path.count - 1  // the dotted key's own tables
        guard depth + tables <= Self.maximumDepth else {
            throw error("the key '\(Self.dotted(path))' nests tables more than \(Self.maximumDepth) deep", at: start)
        }
        let outermost = valueKey == nil
        if outermost { valueKey = Self.dotted(path) }
        depth += tables
        defer {
            depth -= tables
            if outermost { valueKey = nil }
        }
        let value = try value()
        var target = table
        for (position, key) in path.dropLast().enumerated() {
            switch target.entries[key] {
            case nil:
                let created = Table(origin: .dotted)
                target.entries[key] = .table(created)
                target = created
            case .table(let existing) where existing.origin == .dotted:
                target = existing
            default:
                throw error(
                    "'\(Self.dotted(path[...position]))' is already defined, so dotted keys cannot add to it",
                    at: start)
            }
        }
        let key = path[path.count - 1]
        guard target.entries[key] == nil else {
            throw error("key '\(Self.dotted(path))' is defined more than once", at: start)
        }
        target.entries[key] = .value(value)
    }

    // MARK: Keys

    /// `a`, `"quoted key"`, `'literal'`, or several joined by dots (blanks allowed around dots).
    private mutating func keyPath() throws(TOMLSyntaxError) -> [String] {
        let start = index
        var path = [try key()]
        while true {
            let mark = index
            skipSpaces()
            guard take(".") else {
                index = mark
                return path
            }
            skipSpaces()
            path.append(try key())
            guard path.count <= Self.maximumDepth else {
                throw error(
                    "the key '\(Self.dotted(path))' has more than \(Self.maximumDepth) parts, nesting tables too deep",
                    at: start)
            }
        }
    }

    private mutating func key() throws(TOMLSyntaxError) -> String {
        switch peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            if peek(1) == peek(), peek(2) == peek() { throw error("a key cannot be a multi-line string") }
            return try singleLineString()
        case let byte? where Self.isBareKeyByte(byte):
            let start = index
            while let next = peek(), Self.isBareKeyByte(next) { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        case nil:
            throw error("expected a key, found the end of the file")
        default:
            throw error("expected a key (letters, digits, '_', '-' or a quoted string), found \(describeCurrent())")
        }
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    // MARK: Values

    private mutating func value() throws(TOMLSyntaxError) -> JSON {
        switch peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            if peek(1) == peek(), peek(2) == peek() { return .string(try multilineString()) }
            return .string(try singleLineString())
        case UInt8(ascii: "["):
            return try nested { (reader: inout TOMLReader) throws(TOMLSyntaxError) in try reader.array() }
        case UInt8(ascii: "{"):
            return try nested { (reader: inout TOMLReader) throws(TOMLSyntaxError) in try reader.inlineTable() }
        case nil, UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"):
            throw error("expected a value")
        default:
            return try scalar()
        }
    }

    private mutating func nested(
        _ body: (inout TOMLReader) throws(TOMLSyntaxError) -> JSON
    ) throws(TOMLSyntaxError) -> JSON {
        guard depth < Self.maximumDepth else {
            throw error(
                "\(valueKey.map { "the value of '\($0)': " } ?? "")arrays and tables are nested more than \(Self.maximumDepth) deep"
            )
        }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    /// `[v, v, ...]`, across lines, with comments and a trailing comma allowed.
    private mutating func array() throws(TOMLSyntaxError) -> JSON {
        index += 1
        var elements: [JSON] = []
        while true {
            try skipBlankLines()
            if take("]") { return .array(elements) }
            elements.append(try value())
            try skipBlankLines()
            if take("]") { return .array(elements) }
            guard take(",") else { throw error("expected ',' or ']' in the array, found \(describeCurrent())") }
        }
    }

    /// `{ k = v, k = v }` on one line.
    private mutating func inlineTable() throws(TOMLSyntaxError) -> JSON {
        index += 1
        let table = Table(origin: .dotted)
        skipSpaces()
        if take("}") { return .object(table.values) }
        while true {
            skipSpaces()
            try keyValue(into: table)
            skipSpaces()
            if take("}") { return .object(table.values) }
            guard take(",") else {
                throw error("expected ',' or '}' in the inline table, found \(describeCurrent())")
            }
        }
    }

    /// Booleans, integers, floats, dates and times: one token of letters, digits and `+-._:`.
    private mutating func scalar() throws(TOMLSyntaxError) -> JSON {
        let start = index
        while let byte = peek(), Self.isScalarByte(byte) { index += 1 }
        // `1979-05-27 07:32:00`: a date, a space and a time are one value.
        if index - start == 10, peek() == UInt8(ascii: " "), let hour = peek(1), let next = peek(2),
            Self.isDigit(hour), Self.isDigit(next), peek(3) == UInt8(ascii: ":"),
            Self.isDigit(bytes[start]), bytes[start + 4] == UInt8(ascii: "-")
        {
            index += 1
            while let byte = peek(), Self.isScalarByte(byte) { index += 1 }
        }
        let token = String(decoding: bytes[start..<index], as: UTF8.self)
        if token.isEmpty { throw error("expected a value, found \(describeCurrent())") }
        if let value = Self.scalarValue(token) { return value }
        throw error("'\(token)' is not a valid value (strings need quotes)", at: start)
    }

    private static func isScalarByte(_ byte: UInt8) -> Bool {
        isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// The value of a bare token, or `nil` when it is none of TOML's forms.
    private static func scalarValue(_ token: String) -> JSON? {
        switch token {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "inf", "+inf": return .double(.infinity)
        case "-inf": return .double(-.infinity)
        case "nan", "+nan", "-nan": return .double(.nan)
        default: break
        }
        let text = Substring(token)
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where text.hasPrefix(prefix) {
            let digits = text.dropFirst(2)
            guard hasDigitsWithUnderscores(digits, radix: radix),
                let number = Int64(digits.replacing("_", with: ""), radix: radix)
            else { return nil }
            return .int(number)
        }
        if isDateOrTime(text) { return .string(token) }
        let unsigned = text.first == "+" || text.first == "-" ? text.dropFirst() : text
        let integerPart = unsigned.prefix { $0 != "." && $0 != "e" && $0 != "E" }
        guard hasDigitsWithUnderscores(integerPart, radix: 10),
            integerPart == "0" || !integerPart.hasPrefix("0")
        else { return nil }
        var rest = unsigned.dropFirst(integerPart.count)
        let plain = token.replacing("_", with: "")
        if rest.isEmpty { return Int64(plain).map(JSON.int) }
        if rest.first == "." {
            let fraction = rest.dropFirst().prefix { $0 != "e" && $0 != "E" }
            guard hasDigitsWithUnderscores(fraction, radix: 10) else { return nil }
            rest = rest.dropFirst(1 + fraction.count)
        }
        if let marker = rest.first, marker == "e" || marker == "E" {
            var exponent = rest.dropFirst()
            if exponent.first == "+" || exponent.first == "-" { exponent = exponent.dropFirst() }
            guard hasDigitsWithUnderscores(exponent, radix: 10) else { return nil }
            rest = ""
        }
        guard rest.isEmpty, let number = Double(plain), number.isFinite else { return nil }
        return .double(number)
    }

    /// Digits of `radix`, with single underscores only between digits.
    private static func hasDigitsWithUnderscores(_ text: Substring, radix: Int) -> Bool {
        guard let first = text.first, let last = text.last, first != "_", last != "_", !text.contains("__")
        else { return false }
        return text.allSatisfy { $0 == "_" || ($0.isASCII && $0.hexDigitValue.map { $0 < radix } == true) }
    }

    /// `1979-05-27`, `07:32:00`, `1979-05-27T07:32:00.5-07:00` and the other RFC 3339 forms
    /// TOML allows (checked for shape, kept as text).
    private static func isDateOrTime(_ text: Substring) -> Bool {
        func digits(_ part: Substring, _ count: Int) -> Bool {
            part.count == count && part.allSatisfy { $0.isASCII && $0.isNumber }
        }
        func isTime(_ part: Substring) -> Bool {
            var time = part
            var offset: Substring = ""
            if time.hasSuffix("Z") || time.hasSuffix("z") {
                time = time.dropLast()
            } else if let sign = time.lastIndex(where: { $0 == "+" || $0 == "-" }) {
                offset = time[time.index(after: sign)...]
                time = time[..<sign]
                let pieces = offset.split(separator: ":", omittingEmptySubsequences: false)
                guard pieces.count == 2, digits(pieces[0], 2), digits(pieces[1], 2) else { return false }
            }
            let (clock, fraction) =
                time.firstIndex(of: ".").map { (time[..<$0], time[time.index(after: $0)...]) } ?? (time, nil)
            if let fraction, fraction.isEmpty || !fraction.allSatisfy({ $0.isASCII && $0.isNumber }) { return false }
            let pieces = clock.split(separator: ":", omittingEmptySubsequences: false)
            return pieces.count == 3 && pieces.allSatisfy { digits($0, 2) }
        }
        let pieces = text.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        if pieces.count == 3, digits(pieces[0], 4), digits(pieces[1], 2) {
            let day = pieces[2].prefix(2)
            guard digits(day, 2) else { return false }
            let rest = pieces[2].dropFirst(2)
            if rest.isEmpty { return true }
            guard let separator = rest.first, "Tt ".contains(separator) else { return false }
            return isTime(rest.dropFirst())
        }
        return !text.contains("Z") && !text.contains("z") && !text.contains("+") && !text.contains("-")
            && isTime(text)
    }

    // MARK: Strings

    /// `"..."` (with escapes) or `'...'` (taken as written), on one line, at its opening quote.
    private mutating func singleLineString() throws(TOMLSyntaxError) -> String {
        let quote = bytes[index]
        index += 1
        var scalars = String.UnicodeScalarView()
        while true {
            guard let byte = peek(), byte != UInt8(ascii: "\n") else { throw error("the string is not closed") }
            if byte == quote {
                index += 1
                return String(scalars)
            }
            scalars.append(try byte == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") ? escape() : character())
        }
    }

    /// `"""..."""` (with escapes, and a backslash at a line's end joining lines) or `'''...'''`.
    /// A line break right after the opening quotes is not part of the string.
    private mutating func multilineString() throws(TOMLSyntaxError) -> String {
        let quote = bytes[index]
        let isBasic = quote == UInt8(ascii: "\"")
        index += 3
        if take("\n") || take("\r\n") {}
        var scalars = String.UnicodeScalarView()
        while true {
            guard let byte = peek() else { throw error("the multi-line string is not closed") }
            if byte == quote, peek(1) == quote, peek(2) == quote {
                // Up to two more quotes right before the closing three belong to the string.
                var extra = 0
                while extra < 2, peek(3 + extra) == quote { extra += 1 }
                for _ in 0..<extra { scalars.append(Unicode.Scalar(quote)) }
                index += 3 + extra
                return String(scalars)
            }
            if isBasic && byte == UInt8(ascii: "\\") {
                if try skipLineEndingBackslash() { continue }
                scalars.append(try escape())
            } else if byte == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n") {
                index += 2
                scalars.append("\n")
            } else if byte == UInt8(ascii: "\n") {
                index += 1
                scalars.append("\n")
            } else {
                scalars.append(try character())
            }
        }
    }

    /// A backslash followed only by blanks up to the line's end: it, the line break and the
    /// blanks and line breaks after it are dropped.
    private mutating func skipLineEndingBackslash() throws(TOMLSyntaxError) -> Bool {
        var probe = index + 1
        while probe < bytes.count, bytes[probe] == UInt8(ascii: " ") || bytes[probe] == UInt8(ascii: "\t") {
            probe += 1
        }
        guard probe < bytes.count, bytes[probe] == UInt8(ascii: "\n") || bytes[probe] == UInt8(ascii: "\r") else {
            return false
        }
        index = probe
        while let byte = peek(),
            [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n")].contains(byte)
                || (byte == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n"))
        {
            index += 1
        }
        return true
    }

    /// `\n`, `\"`, `\u00E9`, ... at the current backslash.
    private mutating func escape() throws(TOMLSyntaxError) -> Unicode.Scalar {
        let start = index
        index += 1
        guard let letter = peek() else { throw error("the string is not closed") }
        index += 1
        switch letter {
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = letter == UInt8(ascii: "u") ? 4 : 8
            guard index + count <= bytes.count,
                let code = UInt32(String(decoding: bytes[index..<index + count], as: UTF8.self), radix: 16),
                bytes[index..<index + count].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
                let scalar = Unicode.Scalar(code)
            else {
                throw error(
                    "\\\(Character(Unicode.Scalar(letter))) needs \(count) hex digits of a Unicode scalar", at: start)
            }
            index += count
            return scalar
        default:
            throw error("unknown escape '\\\(Character(Unicode.Scalar(letter)))'", at: start)
        }
    }

    /// One character of a string, which may not be a control character other than tab.
    private mutating func character() throws(TOMLSyntaxError) -> Unicode.Scalar {
        let byte = bytes[index]
        if Self.isControl(byte) { throw error("\(describeCurrent()) is not allowed in a string (escape it)") }
        let length =
            byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2  // the text came from a String: valid UTF-8
        let scalar = String(decoding: bytes[index..<min(index + length, bytes.count)], as: UTF8.self)
            .unicodeScalars.first!
        index += length
        return scalar
    }

    // MARK: Blanks, comments, line ends

    /// Spaces and tabs.
    private mutating func skipSpaces() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
    }

    /// Blanks, comments and line breaks.
    private mutating func skipBlankLines() throws(TOMLSyntaxError) {
        while true {
            skipSpaces()
            if peek() == UInt8(ascii: "#") {
                try comment()
            } else if !(take("\n") || take("\r\n")) {
                if peek() == UInt8(ascii: "\r") { throw error("a carriage return must be followed by a line feed") }
                return
            }
        }
    }

    /// After a key/value pair or header: blanks, an optional comment, then a line break or the end.
    private mutating func endOfLine() throws(TOMLSyntaxError) {
        skipSpaces()
        if peek() == UInt8(ascii: "#") { try comment() }
        guard peek() == nil || take("\n") || take("\r\n") else {
            throw error("expected the end of the line, found \(describeCurrent())")
        }
    }

    private mutating func comment() throws(TOMLSyntaxError) {
        while let byte = peek(), byte != UInt8(ascii: "\n") {
            if Self.isControl(byte) && !(byte == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n")) {
                throw error("\(describeCurrent()) is not allowed in a comment")
            }
            index += 1
        }
    }

    /// Control characters TOML forbids in strings and comments (tab is allowed).
    private static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F
    }

    // MARK: Reading helpers

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    /// Consumes `text` if it comes next.
    private mutating func take(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = text.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        if matches { index += count }
        return matches
    }

    private func describeCurrent() -> String {
        guard let byte = peek() else { return "the end of the file" }
        switch byte {
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"): return "a line break"
        case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(byte)))'"
        case ..<0x80:
            return "control character U+\(byte < 0x10 ? "000" : "00")\(String(byte, radix: 16, uppercase: true))"
        default: return "'\(String(decoding: bytes[index...].prefix(4), as: UTF8.self).prefix(1))'"
        }
    }

    private func error(_ reason: String, at offset: Int? = nil) -> TOMLSyntaxError {
        let offset = min(offset ?? index, bytes.count)
        let lineStart = bytes[..<offset].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let line = bytes[..<offset].count(where: { $0 == UInt8(ascii: "\n") }) + 1
        let column = bytes[lineStart..<offset].count(where: { $0 & 0xC0 != 0x80 }) + 1
        return TOMLSyntaxError(line: line, column: column, reason: reason)
    }

    /// A key path as written in TOML, cut with `…` past 100 characters.
    private static func dotted(_ path: some Collection<String>) -> String {
        let text = path.map { key in !key.isEmpty && key.utf8.allSatisfy(isBareKeyByte) ? key : "\"\(key)\"" }
            .joined(separator: ".")
        return text.count > 100 ? text.prefix(100) + "…" : text
    }
}

/// Where and why a TOML document could not be read.
struct TOMLSyntaxError: Error, Equatable {
    /// 1-based line.
    var line: Int
    /// 1-based column, in characters.
    var column: Int
    /// What is wrong, e.g. `expected '=' after the key 'port'`.
    var reason: String
}
