import AWCore
import AWDatastore
import Hummingbird

/// `/api/0/export`, `/api/0/buckets/<id>/export` and `/api/0/import`.
struct ExportController {
    let api: ServerAPI

    var routes: [Route] {
        [
            Route(.get, "/api/0/export", exportAll),
            Route(.get, "/api/0/buckets/{}/export", exportBucket),
            Route(.post, "/api/0/import", importDocument),
        ]
    }

    @Sendable func exportAll(_ request: APIRequest) async throws -> Response {
        Self.document(try await api.exportDocument(), filename: "aw-buckets-export.json")
    }

    @Sendable func exportBucket(_ request: APIRequest) async throws -> Response {
        let id = request.parameters[0]
        return Self.document(try await api.exportDocument(bucketIDs: [id]), filename: "aw-bucket-export_\(id).json")
    }

    static func document(_ chunks: JSONChunkStream, filename: String) -> Response {
        let safeName = filename.replacing("\"", with: "_").replacing("/", with: "_")
        return .streamedJSON(chunks, headers: [.contentDisposition: "attachment; filename=\"\(safeName)\""])
    }

    /// Imports an export document sent as JSON, or as a `multipart/form-data` upload with a part
    /// named `buckets.json` (what the web UI sends) or `buckets`. The whole document is checked
    /// before anything is written. Answers with what was imported per bucket.
    @Sendable func importDocument(_ request: APIRequest) async throws -> Response {
        let json: JSON
        if request.mediaType == "multipart/form-data" {
            let body = try await request.body()
            let form = try MultipartFormData(
                body: Array(buffer: body), contentType: request.request.headers[.contentType] ?? "")
            guard
                let part = form.part(named: "buckets.json") ?? form.part(named: "buckets")
                    ?? form.parts.first(where: { $0.filename != nil })
            else {
                throw APIError.badRequest("the upload has no part named 'buckets.json' holding an export document")
            }
            json = try JSON.parse(part.body)
        } else {
            json = try await request.json()
        }
        let results = try await api.importAll(try BucketExport.documentBuckets(json: json))
        HeapMemory.releaseFreedMemory()  // the whole document was held in memory
        var summary: [String: JSON] = [:]
        for result in results {
            summary[result.bucketID] = [
                "created": .bool(result.created), "inserted": .int(Int64(result.inserted)),
                "skipped": .int(Int64(result.skipped)),
            ]
        }
        return .json(["buckets": .object(summary)])
    }
}
