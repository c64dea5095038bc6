import Testing

@testable import AWServer

@Suite("multipart/form-data uploads")
struct MultipartFormDataTests {
    @Test("the boundary search finds what a plain scan finds, on random bytes")
    func findAgreesWithAScan() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let alphabet: [UInt8] = [0x61, 0x62, 0x2D]  // small, so partial matches are common
            let haystack = (0..<Int.random(in: 0..<80, using: &generator)).map { _ in alphabet.randomElement()! }
            let needle = (0..<Int.random(in: 1..<6, using: &generator)).map { _ in alphabet.randomElement()! }
            let start = Int.random(in: 0...max(0, haystack.count), using: &generator)
            let expected = haystack.indices.first { index in
                index >= start && haystack[index...].starts(with: needle)
            }
            #expect(
                MultipartFormData.find(needle, in: haystack, from: start) == expected, "\(haystack) \(needle) \(start)")
        }
    }

    @Test("a body that almost matches a long boundary everywhere is parsed in linear time")
    func adversarialBody() throws {
        // A naive search compares up to the whole boundary at every byte: 16 MB x 4,000 steps.
        let boundary = String(repeating: "a", count: 4_000) + "b"
        let body =
            Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n".utf8)
            + [UInt8](repeating: UInt8(ascii: "a"), count: 16 << 20)
        let clock = ContinuousClock()
        let started = clock.now
        #expect(throws: APIError.self) {
            try MultipartFormData(body: body, contentType: "multipart/form-data; boundary=\(boundary)")
        }
        #expect(clock.now - started < .seconds(60), "it took \(clock.now - started)")
        let parts = try MultipartFormData(
            body: Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nab\r\n--\(boundary)--".utf8),
            contentType: "multipart/form-data; boundary=\(boundary)")
        #expect(parts.part(named: "f")?.body == Array("ab".utf8))
    }
}
