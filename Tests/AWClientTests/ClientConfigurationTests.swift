import AWCore
import AWTestSupport
import Foundation
import Testing

@testable import AWClient

/// Where the client finds its server and the key it sends.
@Suite("Client configuration: server and API key")
struct ClientConfigurationTests {
    let home = TemporaryDirectory()
    var directories: Directories {
        Directories(environment: ["HOME": home.path, "XDG_CONFIG_HOME": home.file("config")])
    }

    func write(_ text: String, module: String, file: String) throws {
        let folder = directories.configDirectory(module: module)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try text.write(toFile: "\(folder)/\(file)", atomically: true, encoding: .utf8)
    }

    @Test("a server on another machine: host, port and key from aw-client.toml")
    func remoteServerKey() throws {
        try write(
            "[server]\nhostname = \"10.0.0.5\"\nport = \"5600\"\napi_key = \"laptop-key\"\n", module: "aw-client",
            file: "aw-client.toml")
        let configuration = try ClientConfiguration.load(testing: false, directories: directories)
        #expect(configuration.host == "10.0.0.5" && configuration.port == 5600)
        #expect(configuration.apiKey == "laptop-key")
    }

    @Test("the local server's key is used for this machine, and only on its port")
    func localServerKey() throws {
        try write("port = 5601\n[auth]\napi_key = \"local-key\"\n", module: "aw-server-swift", file: "config.toml")
        #expect(
            try ClientConfiguration.load(testing: false, port: 5601, directories: directories).apiKey == "local-key")
        #expect(try ClientConfiguration.load(testing: false, port: 5600, directories: directories).apiKey == nil)
        #expect(
            try ClientConfiguration.load(testing: false, host: "10.0.0.5", port: 5601, directories: directories).apiKey
                == nil)
    }

    @Test("a server behind a TLS proxy: protocol and ca_file from aw-client.toml; --url's scheme wins")
    func https() throws {
        try write("authority", module: "aw-client", file: "ca.pem")
        let authority = directories.configDirectory(module: "aw-client") + "/ca.pem"
        try write(
            "[server]\nhostname = \"aw.example.org\"\nport = 443\nprotocol = \"https\"\nca_file = \"\(authority)\"\n",
            module: "aw-client", file: "aw-client.toml")
        let configuration = try ClientConfiguration.load(testing: false, directories: directories)
        #expect(configuration.https && configuration.caFile == authority)
        #expect(try ActivityWatchClient(configuration: configuration).serverURL == "https://aw.example.org:443")
        #expect(try !ClientConfiguration.load(testing: false, https: false, directories: directories).https)
        try write("[server]\nprotocol = \"HTTPS!\"\n", module: "aw-client", file: "aw-client.toml")
        #expect {
            try ClientConfiguration.load(testing: false, directories: directories)
        } throws: { error in
            "\(error)".contains("protocol") && "\(error)".contains(#"must be "http" or "https""#)
        }
    }
}
