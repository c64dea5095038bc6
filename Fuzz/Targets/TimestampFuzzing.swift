import AWCore

/// Timestamps and periods as query strings, event fields and `timeperiods` carry them: anything
/// read must be written in a form that reads back as the same instant.
enum TimestampFuzzing {
    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        let text = String(decoding: input, as: UTF8.self)
        if let timestamp = try? Timestamp(rfc3339: text) {
            let written = timestamp.rfc3339
            let reread = Result { () throws(TimestampParseError) in try Timestamp(rfc3339: written) }
            try expect(reread == .success(timestamp), "\(text) is written as \(written), which reads as \(reread)")
        }
        if let period = try? TimePeriod(parsing: text) {
            let reread = Result { () throws(ModelDecodingError) in try TimePeriod(parsing: period.description) }
            try expect(reread == .success(period), "period \(text) is written as \(period), which reads as \(reread)")
        }
    }
}
