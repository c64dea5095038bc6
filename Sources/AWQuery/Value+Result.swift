import AWCore

extension Value {
    /// Writes the value as a query result, in aw-server-rust's encoding: object keys sorted,
    /// numbers as floats (`1.0`), events as `{"data", "duration", "id", "timestamp"}`, `none` as
    /// `[]`.
    ///
    /// - Throws: `QueryError` when the value holds a function, which has no JSON form.
    func writeResult(to writer: inout JSONWriter) throws(QueryError) {
        switch self {
        case .none: writer.writeRaw("[]")
        case .bool(let value): value ? writer.writeRaw("true") : writer.writeRaw("false")
        case .number(let value): writer.write(value)
        case .string(let value): writer.write(value)
        case .event(let event): Self.writeResult(event, to: &writer)
        case .events(let events):
            writer.writeByte(UInt8(ascii: "["))
            for (index, event) in events.enumerated() {
                if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
                Self.writeResult(event, to: &writer)
            }
            writer.writeByte(UInt8(ascii: "]"))
        case .list(let values):
            writer.writeByte(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
                try value.writeResult(to: &writer)
            }
            writer.writeByte(UInt8(ascii: "]"))
        case .dict(let values):
            writer.writeByte(UInt8(ascii: "{"))
            for (index, key) in values.keys.sorted(by: JSONWriter.keyOrder).enumerated() {
                if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
                writer.write(key)
                writer.writeByte(UInt8(ascii: ":"))
                try values[key]!.writeResult(to: &writer)
            }
            writer.writeByte(UInt8(ascii: "}"))
        case .function(let name):
            throw QueryError(.invalid, "the result contains the function '\(name)', which cannot be sent as JSON")
        }
    }

    /// `{"data":…,"duration":…,"id":…,"timestamp":"…"}`.
    static func writeResult(_ event: Event, to writer: inout JSONWriter) {
        writer.writeRaw("{\"data\":")
        writer.write(event.data)
        writer.writeRaw(",\"duration\":")
        writer.writeSeconds(nanoseconds: event.durationNanoseconds)
        writer.writeRaw(",\"id\":")
        if let id = event.id { writer.write(id) } else { writer.writeRaw("null") }
        writer.writeRaw(",\"timestamp\":")
        writer.writeOptional(event.timestamp)
        writer.writeByte(UInt8(ascii: "}"))
    }
}
