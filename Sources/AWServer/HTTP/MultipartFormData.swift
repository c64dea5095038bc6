import Foundation

/// A `multipart/form-data` request body (RFC 7578), as browsers send file uploads.
package struct MultipartFormData {
    /// One field or file of the form.
    package struct Part {
        /// The `name` of the form field.
        package var name: String?
        /// The uploaded file's name, for file fields.
        package var filename: String?
        /// The content.
        package var body: [UInt8]
    }

    /// The parts in order.
    package var parts: [Part]

    /// The first part with this field name.
    package func part(named name: String) -> Part? {
        parts.first { $0.name == name }
    }

    /// Splits a body into its parts using the boundary from the `Content-Type` header.
    ///
    /// - Throws: `APIError` 400 when the boundary is missing or the body is not well-formed.
    package init(body: [UInt8], contentType: String) throws(APIError) {
        guard let boundary = Self.parameter("boundary", in: contentType), !boundary.isEmpty else {
            throw .badRequest("multipart/form-data upload without a boundary in its Content-Type")
        }
        let delimiter = Array("--\(boundary)".utf8)
        guard var position = Self.find(delimiter, in: body, from: 0) else {
            throw .badRequest("multipart/form-data upload does not contain its boundary")
        }
        var parts: [Part] = []
        while true {
            position += delimiter.count
            if body[position...].starts(with: Array("--".utf8)) { break }  // closing delimiter
            guard let headerStart = Self.skipLineBreak(body, position),
                let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: headerStart)
            else { throw .badRequest("malformed multipart/form-data part headers") }
            let headers = String(decoding: body[headerStart..<headerEnd], as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let next = Self.find(Array("\r\n".utf8) + delimiter, in: body, from: contentStart) else {
                throw .badRequest("multipart/form-data part is not terminated by its boundary")
            }
            var part = Part(body: Array(body[contentStart..<next]))
            for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                let value = String(line.dropFirst("content-disposition:".count))
                part.name = Self.parameter("name", in: value)
                part.filename = Self.parameter("filename", in: value)
            }
            parts.append(part)
            position = next + 2
        }
        self.parts = parts
    }

    /// The value of `name=value` or `name="value"` in a header value.
    static func parameter(_ name: String, in header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            var value = Substring(pair[1])
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 {
                value = value.dropFirst().dropLast()
            }
            return String(value)
        }
        return nil
    }

    static func skipLineBreak(_ body: [UInt8], _ position: Int) -> Int? {
        if body[position...].starts(with: [0x0D, 0x0A]) { return position + 2 }
        if body[position...].starts(with: [0x0A]) { return position + 1 }
        return nil
    }

    /// The offset of `needle` in `haystack` at or after `start`. Knuth-Morris-Pratt: each byte
    /// of the haystack is looked at a bounded number of times, so no boundary and body can make
    /// an upload's parse quadratic.
    package static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, start >= 0, start < haystack.count else { return nil }
        // fallback[i]: the length of the longest proper prefix of needle[...i] that is also its suffix.
        var fallback = [Int](repeating: 0, count: needle.count)
        var length = 0
        for index in needle.indices.dropFirst() {
            while length > 0 && needle[index] != needle[length] { length = fallback[length - 1] }
            if needle[index] == needle[length] { length += 1 }
            fallback[index] = length
        }
        var matched = 0
        for index in start..<haystack.count {
            while matched > 0 && haystack[index] != needle[matched] { matched = fallback[matched - 1] }
            if haystack[index] == needle[matched] { matched += 1 }
            if matched == needle.count { return index - needle.count + 1 }
        }
        return nil
    }
}
