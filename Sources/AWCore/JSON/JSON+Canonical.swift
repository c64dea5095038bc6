extension JSON {
    /// The canonical text of a JSON document: exactly `JSON.parse(bytes).serialized()` (compact,
    /// object keys sorted by UTF-8 bytes, the last of duplicate keys kept, strings and numbers
    /// in the writer's form), produced without building a `JSON` value.
    ///
    /// - Throws: `JSONParseError` as `parse` does.
    public static func canonicalText(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> [UInt8] {
        var parser = JSONParser(bytes: bytes)
        var writer = JSONWriter(capacity: bytes.count)
        parser.skipWhitespace()
        if parser.index >= bytes.count { throw parser.fail("the document is empty") }
        try parser.writeCanonicalValue(to: &writer)
        parser.skipWhitespace()
        if parser.index < bytes.count {
            throw parser.fail("unexpected \(parser.describeCurrent()) after the JSON value")
        }
        return writer.bytes
    }
}

extension JSONParser {
    /// Parses one value and writes its canonical text.
    mutating func writeCanonicalValue(to writer: inout JSONWriter) throws(JSONParseError) {
        guard index < bytes.count else { throw fail("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            try writeCanonicalObject(to: &writer)
        case UInt8(ascii: "["):
            try enterContainer()
            defer { depth -= 1 }
            writer.writeByte(UInt8(ascii: "["))
            if try openContainer(closing: UInt8(ascii: "]")) {
                var first = true
                repeat {
                    if !first { writer.writeByte(UInt8(ascii: ",")) }
                    first = false
                    try writeCanonicalValue(to: &writer)
                } while try moreElements(closing: UInt8(ascii: "]"))
            }
            writer.writeByte(UInt8(ascii: "]"))
        case UInt8(ascii: "\""):
            try writeCanonicalString(to: &writer)
        default:
            writer.write(try parseValue())  // numbers and literals
        }
    }

    /// Strings without escapes are copied as they are; others are decoded and written again.
    mutating func writeCanonicalString(to writer: inout JSONWriter) throws(JSONParseError) {
        let start = index + 1
        var end = start
        var ascii = true
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            if byte >= 0x80 { ascii = false }
            end += 1
        }
        if end < bytes.count && bytes[end] == UInt8(ascii: "\"")
            && (ascii || String(validating: bytes[start..<end], as: UTF8.self) != nil)
        {
            writer.bytes.append(contentsOf: bytes[(start - 1)...end])
            index = end + 1
        } else {
            writer.write(try parseString())
        }
    }

    /// Members are canonicalized one by one into a scratch buffer, then written in key order.
    mutating func writeCanonicalObject(to writer: inout JSONWriter) throws(JSONParseError) {
        try enterContainer()
        defer { depth -= 1 }
        // Buffers are kept per nesting level and reused from object to object.
        var scratch = JSONWriter(capacity: 0)
        var members: [(key: String, value: Range<Int>)] = []
        if depth < canonicalScratch.count {
            swap(&scratch.bytes, &canonicalScratch[depth].bytes)
            swap(&members, &canonicalScratch[depth].members)
        }
        defer {
            scratch.bytes.removeAll(keepingCapacity: true)
            members.removeAll(keepingCapacity: true)
            while canonicalScratch.count <= depth { canonicalScratch.append(([], [])) }
            swap(&scratch.bytes, &canonicalScratch[depth].bytes)
            swap(&members, &canonicalScratch[depth].members)
        }
        // Most clients send keys already in order; those objects need no sorting.
        var inOrder = true
        if try openContainer(closing: UInt8(ascii: "}")) {
            repeat {
                let key = try parseMemberKey()
                let valueStart = scratch.bytes.count
                try writeCanonicalValue(to: &scratch)
                if inOrder, let previous = members.last?.key { inOrder = JSONWriter.keyOrder(previous, key) }
                members.append((key, valueStart..<scratch.bytes.count))
            } while try moreElements(closing: UInt8(ascii: "}"))
        }
        if !inOrder {
            // Stable sort, then keep the last of equal keys (as a dictionary would).
            members = members.enumerated()
                .sorted { a, b in
                    a.element.key == b.element.key
                        ? a.offset < b.offset : JSONWriter.keyOrder(a.element.key, b.element.key)
                }
                .map(\.element)
            members = members.enumerated().filter { position, member in
                position + 1 == members.count || members[position + 1].key != member.key
            }.map(\.element)
        }
        writer.writeByte(UInt8(ascii: "{"))
        for (position, member) in members.enumerated() {
            if position > 0 { writer.writeByte(UInt8(ascii: ",")) }
            writer.write(member.key)
            writer.writeByte(UInt8(ascii: ":"))
            writer.bytes.append(contentsOf: scratch.bytes[member.value])
        }
        writer.writeByte(UInt8(ascii: "}"))
    }
}
