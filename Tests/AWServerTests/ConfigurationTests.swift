import AWCore
import Testing

@testable import AWServer

@Suite("Server configuration")
struct ConfigurationTests {
    @Test("the default config file is valid TOML that changes nothing")
    func defaults() throws {
        for testing in [false, true] {
            let file = try ConfigFile(
                path: "config.toml", text: ServerConfiguration.defaultConfigFileContents(testing: testing))
            #expect(try ServerConfiguration(file: file, testing: testing) == ServerConfiguration(testing: testing))
        }
        #expect(ServerConfiguration().port == 5600)
        #expect(ServerConfiguration(testing: true).port == 5666)
        #expect(ServerConfiguration().isLoopbackOnly)
    }

    @Test("settings are read from the file")
    func readsSettings() throws {
        let text = """
            address = "0.0.0.0"
            port = 7000
            cors = ["http://a"]
            cors_regex = ["https://.*"]
            request_body_limit_mb = 2
            [auth]
            api_key = "key"
            [logging]
            json_file = true
            """
        let configuration = try ServerConfiguration(file: ConfigFile(path: "c.toml", text: text), testing: false)
        #expect(
            configuration
                == ServerConfiguration(
                    address: "0.0.0.0", port: 7000, corsOrigins: ["http://a"], corsOriginPatterns: ["https://.*"],
                    apiKey: "key",
                    requestBodyLimit: 2 * 1024 * 1024, jsonLogFile: true))
        #expect(!configuration.isLoopbackOnly)
        #expect(configuration.refusalToServe == nil)
    }

    @Test("listening beyond loopback needs an API key")
    func unprotectedAddressIsRefused() {
        #expect(ServerConfiguration(testing: false).refusalToServe == nil)
        #expect(ServerConfiguration(testing: false, address: "::1").refusalToServe == nil)
        let open = ServerConfiguration(testing: false, address: "192.168.1.5")
        #expect(open.refusalToServe?.contains("refusing to listen on 192.168.1.5 without an API key") == true)
        #expect(ServerConfiguration(testing: false, address: "0.0.0.0", apiKey: "k").refusalToServe == nil)
        #expect(ServerConfiguration(testing: false, address: "0.0.0.0", deviceKeys: ["pc": "k"]).refusalToServe == nil)
    }

    @Test("one key per device in [auth.devices]; a key used twice is refused")
    func deviceKeys() throws {
        let file = try ConfigFile(
            path: "c.toml", text: "[auth]\napi_key = \"main\"\n[auth.devices]\nlaptop = \"l\"\ndesktop = \"d\"\n")
        let configuration = try ServerConfiguration(file: file, testing: false)
        #expect(configuration.deviceKeys == ["laptop": "l", "desktop": "d"])
        #expect(configuration.acceptedKeys == ["main", "d", "l"])
        for (text, message) in [
            (
                "[auth]\napi_key = \"same\"\n[auth.devices]\nlaptop = \"same\"",
                "'auth.devices.laptop' uses the same key as 'auth.api_key'"
            ),
            ("[auth.devices]\na = \"k\"\nb = \"k\"", "'auth.devices.b' uses the same key as 'auth.devices.a'"),
            ("[auth.devices]\nlaptop = \"\"", "'auth.devices.laptop' must be a non-empty key"),
            ("[auth.devices]\nlaptop = 5", "'auth.devices.laptop'"),
            ("[auth]\ndevices = \"x\"", "devices"),
        ] {
            #expect {
                try ServerConfiguration(file: ConfigFile(path: "c.toml", text: text), testing: false)
            } throws: { error in
                "\(error)".contains(message)
            }
        }
    }

    @Test(
        "bad values name the key",
        arguments: [
            ("port = \"x\"", "'port' must be an integer"),
            ("port = 70000", "not a TCP port"),
            ("cors = \"http://a\"", "'cors' must be a list of strings"),
            ("cors_regex = [\"(\"]", "not a valid regular expression"),
            ("auth = 1", "'auth' must be a table"),
            ("[auth]\napi_key = 5", "'auth.api_key' must be a string"),
        ])
    func badValues(text: String, message: String) throws {
        let file = try ConfigFile(path: "c.toml", text: text)
        #expect {
            try ServerConfiguration(file: file, testing: false)
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
