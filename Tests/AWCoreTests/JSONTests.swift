import AWTestSupport
import Testing

@testable import AWCore

@Suite("JSON parsing and writing")
struct JSONTests {
    @Test(
        "values round-trip to compact JSON with sorted keys",
        arguments: [
            (
                #"{"b": 1, "a": [true, false, null], "c": {"z": "x", "y": 2.5}}"#,
                #"{"a":[true,false,null],"b":1,"c":{"y":2.5,"z":"x"}}"#
            ),
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
            (#"{"title":"t","app":"a"}"#, #"{"app":"a","title":"t"}"#),
            (#"{"é":1,"e":{"b":2,"a":1}}"#, #"{"e":{"a":1,"b":2},"é":1}"#),
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

@Suite("Canonical JSON text")
struct CanonicalJSONTests {
    @Test(
        "canonicalText equals parsing and serializing",
        arguments: [
            #"{"b": 1, "a": {"d": [1, 2.50, -0, 1e2, "x\/y"], "c": "\u00e9\ud83d\ude00"}}"#,
            #"{"k": 1, "k": 2, "j": 0, "k": 3}"#,
            #"{"a": 1, "b": 2, "b": 3}"#,
            #"{"app": "x", "title": "y", "url": {"a": 1, "b": [{"c": 2, "d": 3}]}}"#,
            #"{"é": 1, "e": 2, "z": {"y": {}, "x": []}}"#,
            #"  [ "a\nb" , true , false , null , 12345678901234567890 ]  "#,
            #""plain""#,
            #"{}"#,
        ])
    func matchesTheValuePath(text: String) throws {
        var copy = text
        let canonical = try copy.withUTF8 { try JSON.canonicalText(UnsafeRawBufferPointer($0)) }
        #expect(String(decoding: canonical, as: UTF8.self) == (try JSON.parse(text).serialized()))
    }

    @Test("objects nested 400 deep, each with its keys out of order, come out sorted at every level")
    func deeplyNestedUnorderedObjects() throws {
        let text = String(repeating: #"{"b":1,"a":"#, count: 400) + "0" + String(repeating: "}", count: 400)
        var copy = text
        let canonical = try copy.withUTF8 { try JSON.canonicalText(UnsafeRawBufferPointer($0)) }
        let expected = String(repeating: #"{"a":"#, count: 400) + "0" + String(repeating: #","b":1}"#, count: 400)
        #expect(String(decoding: canonical, as: UTF8.self) == expected)
        #expect(try JSON.parse(text).serialized() == expected)
    }

    @Test("random documents: canonicalText and parse-then-serialize agree byte for byte")
    func randomDocuments() throws {
        var generator = SplitMix(seed: 42)
        for _ in 0..<2000 {
            let text = randomJSON(depth: 0, &generator)
            var copy = text
            let canonical = try copy.withUTF8 { try JSON.canonicalText(UnsafeRawBufferPointer($0)) }
            #expect(String(decoding: canonical, as: UTF8.self) == (try JSON.parse(text).serialized()), "\(text)")
        }
    }

    func randomJSON(depth: Int, _ generator: inout SplitMix) -> String {
        let space = ["", " ", "\n  "][Int(generator.next() % 3)]
        switch generator.next() % (depth > 3 ? 5 : 7) {
        case 0: return ["true", "false", "null"][Int(generator.next() % 3)]
        case 1: return ["0", "-0", "17", "-3.25", "1e3", "2.5E-7", "123456789012", "0.1"][Int(generator.next() % 8)]
        case 2, 3:
            let pieces = ["a", "é", "\\n", "\\\"", "\\u00e9", "\\/", "😀", "\\\\", "Z", "\\t"]
            return "\""
                + (0..<Int(generator.next() % 5)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }
                .joined() + "\""
        case 4:
            return "["
                + (0..<Int(generator.next() % 4)).map { _ in space + randomJSON(depth: depth + 1, &generator) }.joined(
                    separator: ",") + "]"
        default:
            let keys = ["a", "b", "B", "é", "app", "title", "$category", "a", "\\u0061", "a\\\"b"]
            return "{"
                + (0..<Int(generator.next() % 5)).map { _ in
                    "\(space)\"\(keys[Int(generator.next() % UInt64(keys.count))])\"\(space):\(randomJSON(depth: depth + 1, &generator))"
                }.joined(separator: ",") + space + "}"
        }
    }
}
