import AWServer

/// `multipart/form-data` bodies. The input's first line is the boundary, the rest the body, so
/// the fuzzer controls both. Every part must be a piece of the body, in order.
enum MultipartFuzzing {
    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFinding) {
        let bytes = Array(input)
        let newline = bytes.firstIndex(of: 0x0A) ?? bytes.count
        let boundary = String(decoding: bytes[..<newline], as: UTF8.self)
        let body = Array(bytes[min(newline + 1, bytes.count)...])
        guard let form = try? MultipartFormData(body: body, contentType: "multipart/form-data; boundary=\(boundary)")
        else { return }
        var searchFrom = 0
        for part in form.parts {
            let offset =
                part.body.isEmpty ? searchFrom : MultipartFormData.find(part.body, in: body, from: searchFrom)
            guard let offset else {
                throw FuzzFinding("part \(part.name ?? "?") is not a piece of the body after offset \(searchFrom)")
            }
            searchFrom = offset + part.body.count
        }
    }
}
