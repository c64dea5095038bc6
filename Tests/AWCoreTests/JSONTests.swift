import Testing

@testable import AWCore

@Suite("JSON parsing and writing")
struct JSONTests {
    @Test(
        "values round-trip to compact JSON with sorted keys",
        arguments: [
            (#"{"b": 1, "a": [true, false, null], "c": {"z": "x", "y": 2.5}}"#, #"{"a":[true,false,null],"b":1,"c":{"y":2.5,"z":"x"}}"#),
            ("[]", "[]"),
            ("{}", "{}"),
            ("  -0  ", "0"),
            ("1.0", "1.0"),
            ("1e2", "100.0"),
            ("123456789012345678", "123456789012345678"),
            ("-9223372036854775808", "-9223372036854775808"),
            ("9223372036854775808", "9.223372036854776e18"),
            ("0.000001", "1e-6"),
            ("1.5e300", "1.5e300"),
            (#""\u00e9\ud83d\ude00 \" \\ \/ \n\t\u0001""#, #""é😀 \" \\ / \n\t\u0001""#),
            (#"{"é":1,"e":2,"f":3}"#, #"{"e":2,"f":3,"é":1}"#),
        ])
    func roundTrip(input: String, expected: String) throws {
        #expect(try JSON.parse(input).serialized() == expected)
    }

    @Test("integers and floats stay distinct, as aw-server-rust keeps them")
    func numbersKeepTheirKind() throws {
        #expect(try JSON.parse("1") == .int(1))
        #expect(try JSON.parse("1.0") == .double(1))
        #expect(try JSON.parse("1") != JSON.parse("1.0"))
        #expect(try JSON.parse("0.1") == .double(0.1))
        #expect(try JSON.parse("2.123456789") == .double(2.123456789))
    }

    @Test(
        "malformed documents are rejected with a reason and offset",
        arguments: [
            ("", "empty", 0),
            ("{", "end of input", 1),
            (#"{"a" 1}"#, "expected ':'", 5),
            (#"{"a":1,}"#, "expected a string key", 7),
            ("[1,]", "expected a value", 3),
            ("[1 2]", "expected ',' or ']'", 3),
            ("01", "leading zeros", 0),
            ("1.", "digit after '.'", 2),
            ("tru", "expected 'true'", 0),
            (#""abc"#, "unterminated string", 4),
            (#""a\x""#, "invalid escape", 2),
            (#""\ud800""#, "surrogate", 7),
            ("1 2", "after the JSON value", 2),
            ("\"a\u{01}\"", "control character", 2),
        ])
    func rejectsMalformed(input: String, reason: String, offset: Int) {
        #expect {
            try JSON.parse(input)
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            return error.reason.contains(reason) && error.offset == offset
        }
    }

    @Test("invalid UTF-8 inside a string is an error, not silently replaced")
    func invalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONParseError.self) { try JSON.parse(bytes) }
    }

    @Test("nesting deeper than the limit is refused instead of overflowing the stack")
    func depthLimit() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        _ = try JSON.parse(fine)
    }

    @Test("NaN and infinity are written as null")
    func nonFiniteNumbers() {
        #expect(JSON.double(.nan).serialized() == "null")
        #expect(JSON.double(.infinity).serialized() == "null")
    }
}
