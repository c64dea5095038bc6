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
        if let text = scanPlainString() {
            copyQuoted(text, to: &writer)
        } else {
            writer.write(try parseString())
        }
    }

    /// The deepest nesting at which `writeCanonicalObject` first tries writing an object's members
    /// as they come. An object whose keys turn out unordered is read a second time, and so is
    /// everything inside it, so a byte is read at most 2³ times, however deep the document nests.
    static let inOrderAttemptDepth = 3

    /// Writes an object's canonical text: straight through when its keys are already in order
    /// (what most clients send), otherwise (or deeper than `inOrderAttemptDepth`) by sorting.
    mutating func writeCanonicalObject(to writer: inout JSONWriter) throws(JSONParseError) {
        if depth < JSONParser.inOrderAttemptDepth {
            let (objectStart, outputStart) = (index, writer.bytes.count)
            if try writeObjectIfInOrder(to: &writer) { return }
            index = objectStart
            writer.bytes.removeSubrange(outputStart...)
        }
        try writeObjectSorted(to: &writer)
    }

    /// Writes the object's members as they come while each plain key follows the one before in
    /// canonical order; returns `false` at the first key that does not (or is not plain), having
    /// written part of the object, for the caller to discard.
    mutating func writeObjectIfInOrder(to writer: inout JSONWriter) throws(JSONParseError) -> Bool {
        try enterContainer()
        defer { depth -= 1 }
        writer.writeByte(UInt8(ascii: "{"))
        if try openContainer(closing: UInt8(ascii: "}")) {
            var previousKey: Range<Int>?
            repeat {
                try startMemberKey()
                guard let key = scanPlainString() else { return false }
                if let previousKey {
                    guard JSONParser.precedes(bytes[previousKey], bytes[key]) else { return false }
                    writer.writeByte(UInt8(ascii: ","))
                }
                previousKey = key
                copyQuoted(key, to: &writer)
                writer.writeByte(UInt8(ascii: ":"))
                try endMemberKey()
                try writeCanonicalValue(to: &writer)
            } while try moreElements(closing: UInt8(ascii: "}"))
        }
        writer.writeByte(UInt8(ascii: "}"))
        return true
    }

    /// Appends a plain string's text (see `scanPlainString`) with its quotes, as it is written.
    @inline(__always)
    func copyQuoted(_ text: Range<Int>, to writer: inout JSONWriter) {
        let quoted = UnsafeRawBufferPointer(rebasing: bytes[(text.lowerBound - 1)...text.upperBound])
        writer.bytes.append(contentsOf: quoted.assumingMemoryBound(to: UInt8.self))
    }

    /// Whether `lhs` comes strictly before `rhs` in UTF-8 byte order (the order of
    /// `JSONWriter.keyOrder`).
    @inline(__always)
    static func precedes(_ lhs: Slice<UnsafeRawBufferPointer>, _ rhs: Slice<UnsafeRawBufferPointer>) -> Bool {
        lhs.lexicographicallyPrecedes(rhs)
    }

    /// Members are canonicalized one by one into a scratch buffer, then written in key order.
    mutating func writeObjectSorted(to writer: inout JSONWriter) throws(JSONParseError) {
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
