/// A position in query text: a byte offset and the 1-based line and column (in characters)
/// it falls on.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The byte offset into the query text.
    public var offset: Int
    /// The line, starting at 1.
    public var line: Int
    /// The column in characters, starting at 1.
    public var column: Int

    /// The location of `offset` in `source`.
    public init(offset: Int, in source: String) {
        let utf8 = source.utf8
        let clamped = min(max(0, offset), utf8.count)
        let end = utf8.index(utf8.startIndex, offsetBy: clamped)
        var line = 1
        var lineStart = utf8.startIndex
        var index = utf8.startIndex
        while index < end {
            if utf8[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        self.offset = clamped
        self.line = line
        self.column = source[lineStart..<end].count + 1
    }

    public var description: String { "\(line):\(column)" }
}
