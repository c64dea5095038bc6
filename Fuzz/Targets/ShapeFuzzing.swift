/// Deep and long structures for the other targets' parsers, which random bytes of a few
/// kilobytes never reach: an input is a small recipe that expands into a document of up to
/// `maximumSize` bytes, nested up to hundreds of thousands of levels or holding megabyte names,
/// strings and lists, fed to one of the targets with that target's promises.
///
/// The recipe: the first byte picks the target (`Shape.targets`); then steps, each an opcode
/// byte and its operands:
/// - `op % 4 == 0`, text: a length byte, then that many bytes, appended as they are.
/// - `op % 4 == 1`, repeat: a 2-byte count, a length byte and a fragment; the fragment is appended
///   count × `multiplier(op)` times.
/// - `op % 4 == 2`, open: a 2-byte count, an opening and a closing fragment (each a length byte
///   and bytes); the opening is appended count × `multiplier(op)` times now and the closing as
///   often when the level is closed.
/// - `op % 4 == 3`, close: appends the closing fragments of the innermost open level.
/// Levels still open at the end are closed, innermost first. Growth stops at `maximumSize`.
enum ShapeFuzzing {
    /// The largest document a recipe expands to.
    static let maximumSize = 2 << 20
    /// The targets a recipe can feed, by its first byte.
    static let targets: [FuzzTarget] = [.query, .json, .events, .config, .multipart]

    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        guard let first = input.first else { return }
        let target = targets[Int(first) % targets.count]
        let document = expand(Array(input.dropFirst()))
        let outcome = document.withUnsafeBytes { bytes in
            Result { () throws(FuzzFinding) in try target.run(bytes) }
        }
        try outcome.get()
    }

    /// How many times a step's count is taken: 1, 4, 16 or 64, from the opcode's upper bits.
    static func multiplier(_ op: UInt8) -> Int { 1 << (2 * Int((op >> 2) & 3)) }

    /// The document a recipe describes.
    static func expand(_ recipe: [UInt8]) -> [UInt8] {
        var reader = RecipeReader(bytes: recipe)
        var document: [UInt8] = []
        var closings: [[UInt8]] = []
        func append(_ fragment: [UInt8], times: Int) {
            guard !fragment.isEmpty else { return }
            let room = (maximumSize - document.count) / fragment.count
            for _ in 0..<min(times, max(0, room)) { document += fragment }
        }
        while let op = reader.byte() {
            switch op % 4 {
            case 0:
                append(reader.fragment(), times: 1)
            case 1:
                let count = reader.count() * multiplier(op)
                append(reader.fragment(), times: count)
            case 2:
                let count = reader.count() * multiplier(op)
                let opening = reader.fragment()
                let closing = reader.fragment()
                append(opening, times: count)
                closings.append(Array(repeating: closing, count: min(count, maximumSize)).flatMap { $0 })
            default:
                if let closing = closings.popLast() { append(closing, times: 1) }
            }
        }
        while let closing = closings.popLast() { append(closing, times: 1) }
        return document
    }
}

/// Reads a recipe's operands; a recipe that ends early reads as zeros and empty fragments.
private struct RecipeReader {
    let bytes: [UInt8]
    var index = 0

    mutating func byte() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func count() -> Int { Int(byte() ?? 0) << 8 | Int(byte() ?? 0) }

    mutating func fragment() -> [UInt8] {
        let length = Int(byte() ?? 0)
        let end = min(bytes.count, index + length)
        defer { index = end }
        return Array(bytes[index..<end])
    }
}
