/// Builds compact JSON text into a byte buffer.
///
/// Object keys are written in UTF-8 byte order, as aw-server-rust does, so equal values always
/// serialize to the same bytes. Non-ASCII text is written as UTF-8, control characters escaped.
public struct JSONWriter: Sendable {
    /// The UTF-8 text written so far.
    public var bytes: [UInt8]

    /// Creates a writer, reserving room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The text written so far as a `String`.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends already-serialized JSON text (or punctuation) verbatim.
    @inlinable
    public mutating func writeRaw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends already-serialized JSON text verbatim (literals go to `writeRaw(_: StaticString)`,
    /// which copies their bytes without going through `String`).
    @inlinable
    public mutating func writeRaw(text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends a single byte (punctuation such as `,` or `[`).
    @inlinable
    public mutating func writeByte(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends any JSON value.
    public mutating func write(_ value: JSON) {
        switch value {
        case .null: writeRaw("null")
        case .bool(let flag): flag ? writeRaw("true") : writeRaw("false")
        case .int(let number): write(number)
        case .double(let number): write(number)
        case .string(let text): write(text)
        case .array(let elements):
            writeByte(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { writeByte(UInt8(ascii: ",")) }
                write(element)
            }
            writeByte(UInt8(ascii: "]"))
        case .object(let members): write(members)
        }
    }

    /// Appends an object with its keys in sorted order.
    public mutating func write(_ object: [String: JSON]) {
        writeByte(UInt8(ascii: "{"))
        switch object.count {
        case 0: break
        case 1: writeMember(object.first!)
        case 2:  // the usual event data ({"app", "title"}, {"status", …}): no array to sort
            var members = object.makeIterator()
            var (first, second) = (members.next()!, members.next()!)
            if JSONWriter.keyOrder(second.key, first.key) { swap(&first, &second) }
            writeMember(first)
            writeByte(UInt8(ascii: ","))
            writeMember(second)
        default:
            for (position, member) in object.sorted(by: { JSONWriter.keyOrder($0.key, $1.key) }).enumerated() {
                if position > 0 { writeByte(UInt8(ascii: ",")) }
                writeMember(member)
            }
        }
        writeByte(UInt8(ascii: "}"))
    }

    /// Appends `"key":value`.
    private mutating func writeMember(_ member: (key: String, value: JSON)) {
        write(member.key)
        writeByte(UInt8(ascii: ":"))
        write(member.value)
    }

    /// The order object keys are written in: UTF-8 bytes, lexicographically.
    @Sendable public static func keyOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// Appends an integer.
    public mutating func write(_ number: Int64) {
        if number >= 0 && number < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(number))
            return
        }
        var magnitude = number.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch space
        withUnsafeMutableBytes(of: &digits) { scratch in
            var position = scratch.count
            repeat {
                position -= 1
                scratch[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if number < 0 {
                position -= 1
                scratch[position] = UInt8(ascii: "-")
            }
            bytes.append(contentsOf: scratch[position...])
        }
    }

    /// Appends a floating-point number the way aw-server-rust prints it: shortest round-trip form,
    /// always with a fraction or exponent (`1.0`, `0.5`, `1e-6`); NaN and infinities as `null`.
    public mutating func write(_ number: Double) {
        guard number.isFinite else {
            writeRaw("null")
            return
        }
        var text = number.description
        if let exponentIndex = text.firstIndex(of: "e") {
            // Swift writes "1e-06" and "1e+16"; JSON readers and aw-server-rust use "1e-6" and "1e16".
            let mantissa = text[..<exponentIndex]
            var exponent = text[text.index(after: exponentIndex)...]
            var sign = ""
            if exponent.first == "-" { sign = "-" }
            if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
            let trimmed = exponent.drop(while: { $0 == "0" })
            text = "\(mantissa)e\(sign)\(trimmed.isEmpty ? "0" : trimmed)"
        }
        writeRaw(text: text)
    }

    /// Appends a nanosecond count as decimal seconds, exactly and always with a fraction:
    /// `1.0`, `2.123456789`, `0.000001`.
    public mutating func writeSeconds(nanoseconds: Int64) {
        if nanoseconds < 0 { writeByte(UInt8(ascii: "-")) }
        let magnitude = nanoseconds.magnitude
        write(Int64(magnitude / 1_000_000_000))
        var fraction = magnitude % 1_000_000_000
        writeByte(UInt8(ascii: "."))
        if fraction == 0 {
            writeByte(UInt8(ascii: "0"))
            return
        }
        var digits = 9
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        var divisor: UInt64 = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
    }

    /// Appends a string literal with JSON escapes.
    public mutating func write(_ text: String) {
        writeByte(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for position in 0..<utf8.count {
                let byte = utf8[position]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position]))
                runStart = position + 1
                switch byte {
                case UInt8(ascii: "\""): writeRaw("\\\"")
                case UInt8(ascii: "\\"): writeRaw("\\\\")
                case 0x0A: writeRaw("\\n")
                case 0x0D: writeRaw("\\r")
                case 0x09: writeRaw("\\t")
                case 0x08: writeRaw("\\b")
                case 0x0C: writeRaw("\\f")
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    writeRaw("\\u00")
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        writeByte(UInt8(ascii: "\""))
    }
}

extension JSON {
    /// The compact JSON text of this value, object keys sorted.
    public func serialized() -> String {
        var writer = JSONWriter()
        writer.write(self)
        return writer.string
    }
}
