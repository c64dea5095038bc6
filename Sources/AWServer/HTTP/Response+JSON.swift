import AWCore
import AWDatastore
import Hummingbird

extension Response {
    /// A response carrying JSON text.
    static func json(bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A response carrying a JSON value.
    static func json(_ value: JSON, status: HTTPResponse.Status = .ok) -> Response {
        var writer = JSONWriter()
        writer.write(value)
        return .json(bytes: writer.bytes, status: status)
    }

    /// A JSON response whose body is streamed from the datastore in chunks.
    static func streamedJSON(_ chunks: JSONChunkStream, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(
            status: .ok, headers: fields,
            body: ResponseBody { writer in
                for try await chunk in chunks {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            })
    }

    /// A response with no body.
    static func empty(_ status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status)
    }
}
