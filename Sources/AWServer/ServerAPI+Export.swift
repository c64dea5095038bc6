import AWCore
import AWDatastore

/// A bucket with all its events, as exported and imported.
public struct BucketExport: Sendable, Hashable {
    /// The bucket.
    public var bucket: Bucket
    /// Its events, newest first.
    public var events: [Event]

    public init(bucket: Bucket, events: [Event]) {
        self.bucket = bucket
        self.events = events
    }
}

extension ServerAPI {
    /// One bucket with all its events (unclipped, newest first).
    ///
    /// - Throws: `DatastoreError.bucketNotFound`, or a storage error.
    public func exportBucket(bucketID: String) async throws(DatastoreError) -> BucketExport {
        HeapMemory.noteLargeRequest()
        let bucket = try await datastore.bucket(id: bucketID)
        return BucketExport(bucket: bucket, events: try await datastore.events(bucketID: bucketID))
    }

    /// Every bucket with all its events.
    ///
    /// - Throws: a storage error.
    public func exportAll() async throws(DatastoreError) -> [BucketExport] {
        var exports: [BucketExport] = []
        for bucket in try await datastore.buckets().sorted(by: { $0.id < $1.id }) {
            do {
                exports.append(try await exportBucket(bucketID: bucket.id))
            } catch .bucketNotFound {
                continue  // deleted meanwhile
            }
        }
        return exports
    }

    /// The export document of the given buckets (all when `nil`), streamed in chunks from one
    /// consistent snapshot: what `GET /api/0/export` sends.
    ///
    /// - Throws: `DatastoreError.bucketNotFound` for an unknown bucket.
    public func exportDocument(bucketIDs: [String]? = nil) async throws(DatastoreError) -> JSONChunkStream {
        HeapMemory.noteLargeRequest()
        return try await datastore.exportJSON(bucketIDs: bucketIDs)
    }

    /// Imports one bucket: creates it if missing, and adds only events it does not have yet.
    ///
    /// - Throws: a storage error; then nothing of this bucket was imported.
    public func importBucket(_ export: BucketExport) async throws(DatastoreError) -> BucketImportResult {
        let result = try await datastore.importBucket(export.bucket, events: export.events)
        logger.info(
            "imported bucket",
            metadata: [
                "bucket.id": "\(result.bucketID)", "events.inserted": "\(result.inserted)",
                "events.skipped": "\(result.skipped)",
            ]
        )
        return result
    }

    /// Imports several buckets, each in its own transaction.
    ///
    /// - Throws: a storage error; buckets imported before the failure stay imported.
    public func importAll(_ exports: [BucketExport]) async throws(DatastoreError) -> [BucketImportResult] {
        var results: [BucketImportResult] = []
        for export in exports {
            results.append(try await importBucket(export))
        }
        return results
    }
}

extension BucketExport {
    /// Reads an export document: `{"buckets": {"<id>": {bucket fields…, "events": [...]}}}`,
    /// or a single bucket object with `events`. Every bucket and event is checked before
    /// anything is imported.
    ///
    /// - Throws: `ModelDecodingError` naming the bucket and field, e.g.
    ///   `buckets.aw-watcher-window_x.events[3].timestamp`.
    public static func documentBuckets(json: JSON) throws(ModelDecodingError) -> [BucketExport] {
        guard case .object(let document) = json else {
            throw ModelDecodingError(
                field: "", reason: "an export document must be a JSON object, got \(json.kindDescription)")
        }
        guard let bucketsValue = document["buckets"] else {
            if document["events"] != nil, document["id"] != nil { return [try BucketExport(json: json, key: nil)] }
            throw .missing("buckets")
        }
        guard case .object(let buckets) = bucketsValue else {
            throw .wrongType("buckets", expected: "an object of buckets by id", got: bucketsValue)
        }
        var exports: [BucketExport] = []
        for key in buckets.keys.sorted() {
            do {
                exports.append(try BucketExport(json: buckets[key]!, key: key))
            } catch {
                throw error.nested(under: "buckets.\(key)")
            }
        }
        return exports
    }

    /// Reads one exported bucket; its `id` field wins over the document key.
    init(json: JSON, key: String?) throws(ModelDecodingError) {
        let id = json["id"]?.stringValue ?? key
        let bucket = try Bucket(json: json, idOverride: id)
        if bucket.id.isEmpty { throw ModelDecodingError(field: "id", reason: "must not be empty") }
        var events: [Event] = []
        if let eventsValue = json["events"], !eventsValue.isNull {
            do {
                events = try Event.array(json: eventsValue)
            } catch {
                throw error.field.isEmpty
                    ? ModelDecodingError(field: "events", reason: error.reason)
                    : ModelDecodingError(field: "events\(error.field)", reason: error.reason)
            }
        }
        self.init(bucket: bucket, events: events)
    }
}
