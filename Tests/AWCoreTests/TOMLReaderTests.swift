import Testing

@testable import AWCore

/// The TOML reader behind `config.toml`, on the forms users write and the mistakes they make.
@Suite("TOML config files")
struct TOMLReaderTests {
    @Test("every TOML value form reads as the JSON the settings use")
    func values() throws {
        let text = """
            # a comment\r
            title = "basic \\"quoted\\" \\u00e9\\U0001F600\\t"   # trailing comment
            path = 'C:\\Users\\me'
            bare-key_1 = 1_000
            "quoted key" = -17
            hex = 0xDEAD_beef
            octal = 0o755
            binary = 0b1101
            float = 6.626e-34
            exponent = 5E+22
            fraction = -0.5
            infinity = -inf
            yes = true
            when = 1979-05-27T07:32:00.999-07:00
            day = 1979-05-27
            spaced = 1979-05-27 07:32:00Z
            time = 07:32:00
            list = [ 1, "two", [3.0], { four = 4 }, ]
            multiline = [
              "a",  # first
              "b",
            ]
            poem = \"\"\"
            Roses are red
            Violets are \\
                blue\"\"\"\"
            raw = '''
            no \\escapes ''here'''
            site.name = "x"
            site."dotted key".deep = false
            inline = { a = 1, b.c = "d" }

            [table]
            key = "value"

            [ table . sub ]
            n = 1

            [[fruit]]
            name = "apple"
            [fruit.colour]
            main = "red"
            [[fruit]]
            name = "banana"
            """
        let values = try ConfigFile(path: "c.toml", text: text).values
        #expect(values["title"] == .string("basic \"quoted\" é😀\t"))
        #expect(values["path"] == .string("C:\\Users\\me"))
        #expect(values["bare-key_1"] == .int(1000))
        #expect(values["quoted key"] == .int(-17))
        #expect(values["hex"] == .int(0xDEAD_BEEF))
        #expect(values["octal"] == .int(0o755))
        #expect(values["binary"] == .int(13))
        #expect(values["float"] == .double(6.626e-34))
        #expect(values["exponent"] == .double(5e22))
        #expect(values["fraction"] == .double(-0.5))
        #expect(values["infinity"] == .double(-.infinity))
        #expect(values["yes"] == .bool(true))
        #expect(values["when"] == .string("1979-05-27T07:32:00.999-07:00"))
        #expect(values["day"] == .string("1979-05-27"))
        #expect(values["spaced"] == .string("1979-05-27 07:32:00Z"))
        #expect(values["time"] == .string("07:32:00"))
        #expect(values["list"] == .array([.int(1), .string("two"), .array([.double(3)]), .object(["four": .int(4)])]))
        #expect(values["multiline"] == .array(["a", "b"]))
        #expect(values["poem"] == .string("Roses are red\nViolets are blue\""))
        #expect(values["raw"] == .string("no \\escapes ''here"))
        #expect(values["site"] == .object(["name": "x", "dotted key": .object(["deep": .bool(false)])]))
        #expect(values["inline"] == .object(["a": .int(1), "b": .object(["c": "d"])]))
        #expect(values["table"] == .object(["key": "value", "sub": .object(["n": .int(1)])]))
        #expect(
            values["fruit"]
                == .array([
                    .object(["name": "apple", "colour": .object(["main": "red"])]), .object(["name": "banana"]),
                ]))
    }

    @Test("the window watcher's privacy rules read as an array of tables")
    func arrayOfTablesInASection() throws {
        let file = try ConfigFile(
            path: "c.toml",
            text: """
                [[watchers.window.rules]]
                app = "^Code$"
                [[watchers.window.rules]]
                title = "secret"
                drop = true
                [watchers.window]
                poll_time = 2.5
                """)
        let section = try file.section("watchers.window")
        #expect(try section.double("poll_time") == 2.5)
        #expect(try section.tables("rules").count == 2)
    }

    @Test(
        "a malformed file is refused with the line, the column and the reason",
        arguments: [
            ("port = 1\nport = 2", "line 2, column 1", "defined more than once"),
            ("[a]\n[b]\n[a]", "line 3, column 1", "table [a] is defined more than once"),
            ("a.b = 1\n[a]", "line 2, column 1", "defined more than once"),
            ("a = []\n[[a]]", "line 2, column 1", "cannot be an array of tables"),
            ("[[a]]\n[a]", "line 2, column 1", "array of tables"),
            ("a = 1\na.b = 2", "line 2, column 1", "dotted keys cannot add to it"),
            ("x = \"ab\u{0}cd\"", "line 1, column 8", "U+0000 is not allowed in a string"),
            ("# fine\n# not \u{1B} fine", "line 2, column 7", "not allowed in a comment"),
            ("s = \"open\nt = 1", "line 1, column 10", "the string is not closed"),
            ("s = '''never closed", "line 1, column 20", "multi-line string is not closed"),
            ("s = \"\\q\"", "line 1, column 6", "unknown escape '\\q'"),
            ("s = \"\\uD800\"", "line 1, column 6", "hex digits of a Unicode scalar"),
            ("n = 012", "line 1, column 5", "'012' is not a valid value"),
            ("n = 1__0", "line 1, column 5", "not a valid value"),
            ("n = 9223372036854775808", "line 1, column 5", "not a valid value"),
            ("n = 1.", "line 1, column 5", "not a valid value"),
            ("name = value", "line 1, column 8", "'value' is not a valid value (strings need quotes)"),
            ("[!]", "line 1, column 2", "expected a key"),
            ("[\n]", "line 1, column 2", "expected a key"),
            ("[[ [x]]]", "line 1, column 4", "expected a key"),
            ("cors = [}", "line 1, column 9", "expected a value"),
            ("a = [1 2]", "line 1, column 8", "expected ',' or ']'"),
            ("a = { b = 1, }", "line 1, column 14", "expected a key"),
            ("a = { b = 1\n}", "line 1, column 12", "expected ',' or '}'"),
            ("port 5600", "line 1, column 6", "expected '=' after the key 'port'"),
            ("port = 5600 5601", "line 1, column 13", "expected the end of the line"),
            ("[table] x = 1", "line 1, column 9", "expected the end of the line"),
            ("a = 1\rb = 2", "line 1, column 6", "expected the end of the line"),
            ("\"\"\"key\"\"\" = 1", "line 1, column 1", "a key cannot be a multi-line string"),
            ("é = 1", "line 1, column 1", "expected a key"),
        ])
    func errors(text: String, position: String, reason: String) {
        #expect {
            try ConfigFile(path: "/home/me/config.toml", text: text)
        } throws: { error in
            let message = "\(error)"
            let matches =
                message.contains("/home/me/config.toml") && message.contains(position) && message.contains(reason)
            if !matches { Issue.record("got: \(message)") }
            return matches
        }
    }

    @Test("tables and arrays may nest 100 levels through headers, dotted keys and values together")
    func deepestAllowed() throws {
        let text = "[" + String(repeating: "t.", count: 59) + "u]\n" + String(repeating: "k.", count: 39) + "v = [1]"
        var value = try #require(try ConfigFile(path: "c.toml", text: text).values["t"])
        for _ in 0..<58 { value = try #require(value.objectValue?["t"]) }
        value = try #require(value.objectValue?["u"])
        for _ in 0..<39 { value = try #require(value.objectValue?["k"]) }
        #expect(value.objectValue?["v"] == [1])
    }

    /// Documents nesting far past the limit, built here rather than passed as test arguments
    /// (which the test log would print in full).
    static let tooDeep: [(text: String, position: String, reason: String)] = [
        (
            "deep = " + String(repeating: "[", count: 5000), "line 1, column 108",
            "the value of 'deep': arrays and tables are nested more than 100 deep"
        ),
        (
            "deep = " + String(repeating: "{ a = ", count: 100_000), "line 1, column 608",
            "the value of 'deep': arrays and tables are nested more than 100 deep"
        ),
        (
            String(repeating: "x.", count: 100_000) + "y = 1", "line 1, column 1",
            "the key 'x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.…' has more than 100 parts"
        ),
        ("[" + String(repeating: "t.", count: 100_000) + "u]", "line 1, column 2", "has more than 100 parts"),
        (
            "[" + String(repeating: "t.", count: 60) + "u]\n" + String(repeating: "k.", count: 40) + "v = 1",
            "line 2, column 1", "nests tables more than 100 deep"
        ),
        (
            "[" + String(repeating: "t.", count: 59) + "u]\n" + String(repeating: "k.", count: 40) + "v = [1]",
            "line 2, column 85",
            "the value of 'k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.v'"
        ),
    ]

    @Test("nesting past 100 levels, through arrays, inline tables, dotted keys and headers, is refused naming the key")
    func tooDeepIsRefused() {
        for (text, position, reason) in Self.tooDeep {
            #expect {
                try ConfigFile(path: "/home/me/config.toml", text: text)
            } throws: { error in
                let message = "\(error)"
                let matches = message.contains(position) && message.contains(reason)
                if !matches { Issue.record("got: \(message.prefix(300))") }
                return matches
            }
        }
    }
}
