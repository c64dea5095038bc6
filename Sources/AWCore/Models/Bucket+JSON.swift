extension Bucket {
    /// Decodes a bucket as clients create it: `type`, `client` and `hostname` are required strings;
    /// `id` (when `idOverride` is nil), `created` (defaults to now) and `data` (defaults to `{}`)
    /// are optional; other fields such as `name`, `metadata` or `last_updated` are ignored.
    ///
    /// - Parameters:
    ///   - json: The bucket object.
    ///   - idOverride: The id from the request path, which wins over any `id` field.
    /// - Throws: `ModelDecodingError` naming the offending field.
    public init(json: JSON, idOverride: String? = nil) throws(ModelDecodingError) {
        let reader = try ObjectReader(json, what: "a bucket")
        let id: String
        if let idOverride {
            id = idOverride
        } else {
            id = try reader.string("id")
        }
        self.init(
            id: id,
            type: try reader.string("type"),
            client: try reader.string("client"),
            hostname: try reader.string("hostname"),
            created: try reader.optionalTimestamp("created") ?? .now,
            data: try reader.optionalObject("data") ?? [:]
        )
    }

    /// Writes the bucket as aw-server returns it: `id`, `type`, `client`, `hostname`, `created`,
    /// `data`, `metadata` (`start`/`end` of its events), `last_updated` (end of its newest event),
    /// and `events` (the given events, or `null`).
    public func write(to writer: inout JSONWriter, events: [Event]? = nil) {
        writeFields(to: &writer)
        writer.writeRaw(",\"events\":")
        if let events {
            writer.writeByte(UInt8(ascii: "["))
            for (index, event) in events.enumerated() {
                if index > 0 { writer.writeByte(UInt8(ascii: ",")) }
                event.write(to: &writer)
            }
            writer.writeByte(UInt8(ascii: "]"))
        } else {
            writer.writeRaw("null")
        }
        writer.writeByte(UInt8(ascii: "}"))
    }

    /// The bucket as aw-server returns it (see `write(to:events:)`), as a JSON value.
    public var json: JSON {
        var writer = JSONWriter()
        write(to: &writer)
        return (try? JSON.parse(writer.bytes)) ?? .null
    }

    /// Writes the opening brace and every field but `events`; the caller adds `"events"` and
    /// the closing brace.
    public func writeFields(to writer: inout JSONWriter) {
        writer.writeRaw("{\"id\":")
        writer.write(id)
        writer.writeRaw(",\"type\":")
        writer.write(type)
        writer.writeRaw(",\"client\":")
        writer.write(client)
        writer.writeRaw(",\"hostname\":")
        writer.write(hostname)
        writer.writeRaw(",\"created\":")
        writer.write(created.rfc3339)
        writer.writeRaw(",\"data\":")
        writer.write(data)
        writer.writeRaw(",\"metadata\":{\"start\":")
        writer.writeOptional(metadata.start)
        writer.writeRaw(",\"end\":")
        writer.writeOptional(metadata.end)
        writer.writeRaw("},\"last_updated\":")
        writer.writeOptional(metadata.end)
    }
}

extension JSONWriter {
    /// Writes a timestamp as an RFC 3339 string, or `null`.
    public mutating func writeOptional(_ timestamp: Timestamp?) {
        guard let timestamp else {
            writeRaw("null")
            return
        }
        writeByte(UInt8(ascii: "\""))
        timestamp.writeRFC3339(into: &bytes)
        writeByte(UInt8(ascii: "\""))
    }
}
