#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A point in time with nanosecond precision: nanoseconds since 1970-01-01T00:00:00Z.
///
/// The representable range is about 1677-09-21 to 2262-04-11, the range of a signed 64-bit
/// nanosecond count, the same as ActivityWatch's storage.
public struct Timestamp: Sendable, Hashable, Comparable {
    /// Nanoseconds since the Unix epoch (UTC). Negative before 1970.
    public var nanoseconds: Int64

    /// Creates a timestamp from nanoseconds since the Unix epoch.
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// Creates a timestamp from (possibly fractional) seconds since the Unix epoch, rounded to
    /// the nearest nanosecond.
    public init(secondsSince1970 seconds: Double) {
        self.nanoseconds = Int64((seconds * 1e9).rounded())
    }

    /// The current wall-clock time.
    public static var now: Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    /// Seconds since the Unix epoch as a floating-point number.
    public var secondsSince1970: Double { Double(nanoseconds) / 1e9 }

    /// The earliest representable timestamp.
    public static let distantPast = Timestamp(nanoseconds: .min)
    /// The latest representable timestamp.
    public static let distantFuture = Timestamp(nanoseconds: .max)

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// This timestamp moved by `nanoseconds`, saturating at the ends of the representable range.
    public func advanced(byNanoseconds nanoseconds: Int64) -> Timestamp {
        let (sum, overflow) = self.nanoseconds.addingReportingOverflow(nanoseconds)
        if overflow { return nanoseconds > 0 ? .distantFuture : .distantPast }
        return Timestamp(nanoseconds: sum)
    }

    /// The nanoseconds from `other` to this timestamp (positive when this one is later).
    public func nanoseconds(since other: Timestamp) -> Int64 {
        nanoseconds &- other.nanoseconds
    }
}

extension Timestamp: CustomStringConvertible {
    /// The RFC 3339 form in UTC, e.g. `2024-05-01T10:00:00.123Z`.
    public var description: String { rfc3339 }
}
