/// A named stream of events from one watcher on one host, e.g. `aw-watcher-window_myhost`.
public struct Bucket: Sendable, Hashable {
    /// The bucket's id, unique on the server.
    public var id: String
    /// The kind of events, e.g. `currentwindow` or `afkstatus`.
    public var type: String
    /// The program that reports into it, e.g. `aw-watcher-window`.
    public var client: String
    /// The host the events come from.
    public var hostname: String
    /// When the bucket was created.
    public var created: Timestamp
    /// Free-form attributes of the bucket.
    public var data: [String: JSON]
    /// The time span its events cover; filled in by the datastore.
    public var metadata: BucketMetadata

    /// Creates a bucket description.
    public init(
        id: String,
        type: String,
        client: String,
        hostname: String,
        created: Timestamp = .now,
        data: [String: JSON] = [:],
        metadata: BucketMetadata = BucketMetadata()
    ) {
        self.id = id
        self.type = type
        self.client = client
        self.hostname = hostname
        self.created = created
        self.data = data
        self.metadata = metadata
    }
}

/// The time span a bucket's events cover.
public struct BucketMetadata: Sendable, Hashable {
    /// The earliest event start, `nil` for an empty bucket.
    public var start: Timestamp?
    /// The latest event end, `nil` for an empty bucket.
    public var end: Timestamp?

    public init(start: Timestamp? = nil, end: Timestamp? = nil) {
        self.start = start
        self.end = end
    }

    /// This span widened to cover `event`.
    public func including(_ event: Event) -> BucketMetadata {
        including(BucketMetadata(start: event.timestamp, end: event.end))
    }

    /// This span widened to cover `other`.
    public func including(_ other: BucketMetadata) -> BucketMetadata {
        func pick(_ a: Timestamp?, _ b: Timestamp?, _ choose: (Timestamp, Timestamp) -> Timestamp) -> Timestamp? {
            guard let a else { return b }
            guard let b else { return a }
            return choose(a, b)
        }
        return BucketMetadata(start: pick(start, other.start, min), end: pick(end, other.end, max))
    }
}
