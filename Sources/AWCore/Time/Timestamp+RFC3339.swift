/// A timestamp string that could not be read.
public struct TimestampParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text that was given.
    public var text: String
    /// What is wrong with it.
    public var reason: String

    public var description: String {
        "invalid timestamp '\(text)': \(reason) (expected RFC 3339, e.g. 2024-05-01T10:00:00.000Z)"
    }
}

extension Timestamp {
    /// Reads an RFC 3339 / ISO 8601 timestamp.
    ///
    /// Accepts `YYYY-MM-DD`, then `T`, `t` or a space and `HH:MM:SS`, an optional fraction of any
    /// length (digits past nanoseconds are dropped), and an offset `Z`, `z`, `±HH:MM`, `±HHMM` or
    /// `±HH`. A timestamp without an offset is taken as UTC, as the Python aw-server does; a bare
    /// date means midnight UTC.
    ///
    /// - Throws: `TimestampParseError` naming the problem.
    public init(rfc3339 text: String) throws(TimestampParseError) {
        var text = text
        let result: Result<Int64, TimestampReader.Failure> = text.withUTF8 { buffer in
            var reader = TimestampReader(bytes: buffer)
            return Result { () throws(TimestampReader.Failure) -> Int64 in try reader.read() }
        }
        switch result {
        case .success(let nanoseconds): self.init(nanoseconds: nanoseconds)
        case .failure(let failure): throw TimestampParseError(text: text, reason: failure.reason)
        }
    }

    /// The RFC 3339 form in UTC with `Z`; the fraction is omitted when zero and otherwise written
    /// with 3, 6 or 9 digits, whichever is exact (`…:01Z`, `…:01.123Z`, `…:01.123456789Z`).
    public var rfc3339: String {
        var writer = JSONWriter(capacity: 32)
        writeRFC3339(into: &writer.bytes)
        return writer.string
    }

    /// Appends the RFC 3339 form (see `rfc3339`) as UTF-8 to `bytes`.
    public func writeRFC3339(into bytes: inout [UInt8]) {
        let (seconds, fraction) = nanoseconds.quotientAndRemainderFlooring(by: 1_000_000_000)
        let (days, secondOfDay) = seconds.quotientAndRemainderFlooring(by: 86_400)
        let (year, month, day) = civilDate(fromDaysSince1970: days)
        if year < 0 || year > 9999 {
            bytes.append(contentsOf: String(year).utf8)
        }
        // Written into a buffer on the stack, then appended at once: appending byte by byte
        // checks the array's capacity and uniqueness for every byte.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { text in
            var count = 0
            func put(_ byte: UInt8) {
                text[count] = byte
                count += 1
            }
            func two(_ value: Int64) {
                put(UInt8(ascii: "0") + UInt8(value / 10))
                put(UInt8(ascii: "0") + UInt8(value % 10))
            }
            if year >= 0 && year <= 9999 {
                two(year / 100)
                two(year % 100)
            }
            put(UInt8(ascii: "-"))
            two(month)
            put(UInt8(ascii: "-"))
            two(day)
            put(UInt8(ascii: "T"))
            two(secondOfDay / 3600)
            put(UInt8(ascii: ":"))
            two(secondOfDay / 60 % 60)
            put(UInt8(ascii: ":"))
            two(secondOfDay % 60)
            if fraction != 0 {
                var digits = 9
                var value = fraction
                while digits > 3 && value % 1000 == 0 {
                    value /= 1000
                    digits -= 3
                }
                put(UInt8(ascii: "."))
                var divisor: Int64 = 1
                for _ in 1..<digits { divisor *= 10 }
                while divisor > 0 {
                    put(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                    divisor /= 10
                }
            }
            put(UInt8(ascii: "Z"))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<count]))
        }
    }
}

extension Int64 {
    /// Quotient and remainder with the remainder always in `0..<divisor` (for positive divisors).
    func quotientAndRemainderFlooring(by divisor: Int64) -> (Int64, Int64) {
        var (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
    let shiftedYear = month <= 2 ? year - 1 : year
    let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
    let yearOfEra = shiftedYear - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
func civilDate(fromDaysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let shifted = days + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
}

/// Reads the fields of an RFC 3339 timestamp from UTF-8 bytes.
struct TimestampReader {
    struct Failure: Error {
        var reason: String
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    mutating func read() throws(Failure) -> Int64 {
        if bytes.isEmpty { throw Failure(reason: "it is empty") }
        let year = try number(digits: 4, field: "year")
        try expect(UInt8(ascii: "-"), after: "year")
        let month = try number(digits: 2, field: "month")
        try expect(UInt8(ascii: "-"), after: "month")
        let day = try number(digits: 2, field: "day")
        guard (1...12).contains(month) else { throw Failure(reason: "month \(month) is out of range") }
        guard day >= 1 && day <= daysIn(month: month, year: year) else {
            throw Failure(reason: "day \(day) is out of range for that month")
        }
        var secondOfDay: Int64 = 0
        var fraction: Int64 = 0
        var offsetSeconds: Int64 = 0
        if index < bytes.count {
            let separator = bytes[index]
            guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ")
            else { throw Failure(reason: "expected 'T' between date and time") }
            index += 1
            let hour = try number(digits: 2, field: "hour")
            try expect(UInt8(ascii: ":"), after: "hour")
            let minute = try number(digits: 2, field: "minute")
            try expect(UInt8(ascii: ":"), after: "minute")
            let second = try number(digits: 2, field: "second")
            guard hour < 24 else { throw Failure(reason: "hour \(hour) is out of range") }
            guard minute < 60 else { throw Failure(reason: "minute \(minute) is out of range") }
            guard second <= 60 else { throw Failure(reason: "second \(second) is out of range") }
            secondOfDay = hour * 3600 + minute * 60 + second
            if index < bytes.count && (bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",")) {
                index += 1
                var digits = 0
                while index < bytes.count, let digit = digit(at: index) {
                    if digits < 9 { fraction = fraction * 10 + digit }
                    digits += 1
                    index += 1
                }
                if digits == 0 { throw Failure(reason: "expected digits after the decimal point") }
                for _ in min(digits, 9)..<9 { fraction *= 10 }
            }
            offsetSeconds = try offset()
        }
        if index != bytes.count { throw Failure(reason: "unexpected text after the timestamp") }
        let days = daysSince1970(year: year, month: month, day: day)
        let seconds = days * 86_400 + secondOfDay - offsetSeconds
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, overflow2) = scaled.addingReportingOverflow(fraction)
        if overflow || overflow2 { throw Failure(reason: "it is outside the years 1677 to 2262") }
        return total
    }

    /// Reads the UTC offset, in seconds east of UTC; none means UTC.
    mutating func offset() throws(Failure) -> Int64 {
        guard index < bytes.count else { return 0 }
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
            return 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            let hours = try number(digits: 2, field: "offset hours")
            var minutes: Int64 = 0
            if index < bytes.count {
                if bytes[index] == UInt8(ascii: ":") { index += 1 }
                minutes = try number(digits: 2, field: "offset minutes")
            }
            guard hours < 24 && minutes < 60 else { throw Failure(reason: "the UTC offset is out of range") }
            return sign * (hours * 3600 + minutes * 60)
        default:
            if bytes.count - index == 3, bytes[index] == UInt8(ascii: "U"), bytes[index + 1] == UInt8(ascii: "T"),
                bytes[index + 2] == UInt8(ascii: "C")
            {
                index += 3
                return 0
            }
            throw Failure(reason: "expected a UTC offset such as 'Z' or '+02:00'")
        }
    }

    @inline(__always)
    func digit(at position: Int) -> Int64? {
        let value = bytes[position] &- UInt8(ascii: "0")
        return value < 10 ? Int64(value) : nil
    }

    @inline(__always)
    mutating func number(digits count: Int, field: StaticString) throws(Failure) -> Int64 {
        var value: Int64 = 0
        for _ in 0..<count {
            guard index < bytes.count, let digit = digit(at: index) else {
                throw Failure(reason: "expected \(count) digits for the \(field)")
            }
            value = value * 10 + digit
            index += 1
        }
        return value
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8, after field: StaticString) throws(Failure) {
        guard index < bytes.count, bytes[index] == byte else {
            throw Failure(reason: "expected '\(Character(Unicode.Scalar(byte)))' after the \(field)")
        }
        index += 1
    }

    func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
