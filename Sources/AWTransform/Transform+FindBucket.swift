import AWCore

extension Transform {
    /// The id of a bucket whose id starts with `prefix` (and whose hostname is `hostname`, when
    /// given): an exact id match wins, otherwise the first match in id order.
    ///
    /// - Returns: The bucket id, or `nil` when no bucket matches.
    public static func findBucket(_ buckets: [Bucket], prefix: String, hostname: String? = nil) -> String? {
        let candidates =
            buckets
            .filter { $0.id.hasPrefix(prefix) && (hostname == nil || $0.hostname == hostname) }
            .map(\.id)
            .sorted()
        return candidates.first { $0 == prefix } ?? candidates.first
    }
}
