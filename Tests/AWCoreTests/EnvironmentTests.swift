import AWTestSupport
import Foundation
import Logging
import Testing

@testable import AWCore

@Suite("Directories, config files and logging")
struct EnvironmentTests {
    @Test("directories follow XDG variables, fall back to HOME, and AW_PROFILE isolates")
    func directories() {
        let xdg = Directories(environment: [
            "HOME": "/home/u", "XDG_CONFIG_HOME": "/cfg", "XDG_DATA_HOME": "relative/ignored",
        ])
        #expect(xdg.configDirectory(module: "aw-server-swift") == "/cfg/activitywatch/aw-server-swift")
        #expect(xdg.dataDirectory(module: "m") == "/home/u/.local/share/activitywatch/m")
        #expect(xdg.cacheDirectory() == "/home/u/.cache/activitywatch")
        #expect(xdg.logDirectory(module: "m") == "/home/u/.cache/activitywatch/log/m")
        let profile = Directories(environment: ["HOME": "/home/u", "AW_PROFILE": "work"])
        #expect(profile.dataDirectory(module: "m") == "/home/u/.local/share/activitywatch-work/m")
    }

    @Test("a missing config file is written commented out, then read back")
    func defaultConfigFile() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("nested/config.toml")
        let file = try ConfigFile.load(path: path, defaultContents: "# port = 1\n[auth]\n#api_key = \"\"\n")
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try file.section().int("port") == nil)
        try "port = 5\ncors = [\"a\", \"b\"]\n[auth]\napi_key = \"k\"\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        let edited = try ConfigFile.load(path: path, defaultContents: "")
        #expect(try edited.section().int("port") == 5)
        #expect(try edited.section().strings("cors") == ["a", "b"])
        #expect(try edited.section("auth").string("api_key") == "k")
    }

    @Test("config errors name the file, the key and the line")
    func configErrors() throws {
        #expect {
            try ConfigFile(path: "/x/config.toml", text: "port = \n")
        } throws: { error in
            let text = "\(error)"
            return text.contains("/x/config.toml") && text.contains("line 1")
        }
        let file = try ConfigFile(path: "/x/config.toml", text: "port = \"5600\"\n")
        #expect {
            try file.section().int("port")
        } throws: { error in
            "\(error)".contains("'port' must be an integer, got a string")
        }
    }

    @Test("a log file rotates at its size limit and keeps the configured number of backups")
    func rotation() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("x.log")
        let file = try #require(RotatingLogFile(path: path, maximumBytes: 100, backupCount: 2))
        for index in 0..<30 { file.write("line \(index) is about twenty\n") }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names == ["x.log", "x.log.1", "x.log.2"])
        let current = try String(contentsOfFile: path, encoding: .utf8)
        #expect(current.hasSuffix("line 29 is about twenty\n"))
        #expect(current.utf8.count <= 100)
    }

    @Test("the recent-records buffer keeps the newest records, newest first")
    func recentRecords() {
        let buffer = RecentLogRecords(capacity: 3)
        for index in 0..<5 {
            buffer.append(LogRecord(timestamp: .now, level: .info, label: "t", message: "m\(index)", metadata: [:]))
        }
        #expect(buffer.newestFirst().map(\.message) == ["m4", "m3", "m2"])
        #expect(buffer.newestFirst(limit: 1).map(\.message) == ["m4"])
    }

    @Test("log handler writes human and JSON lines; the latest log file is found per mode")
    func handlerAndLatestFile() throws {
        let folder = TemporaryDirectory()
        let directories = Directories(environment: ["HOME": folder.path])
        let setup = LoggingSetup(
            module: "mod", testing: true, logToStandardError: false, logToJSONFile: true, directories: directories)
        let recent = RecentLogRecords()
        let sinks = setup.makeSinks(recent: recent)
        var logger = Logger(label: "test") { label in RecordingLogHandler(label: label, level: .debug, sinks: sinks) }
        logger[metadataKey: "bucket.id"] = "b1"
        logger.info("hello \"world\"")
        let latest = try #require(LoggingSetup.latestLogFile(module: "mod", testing: true, directories: directories))
        #expect(LoggingSetup.latestLogFile(module: "mod", testing: false, directories: directories) == nil)
        #expect(latest.contains("mod_testing_"))
        let text = try String(contentsOfFile: latest, encoding: .utf8)
        #expect(text.contains("[INFO ]: hello \"world\" bucket.id=b1  (test)"))
        let jsonPath = latest.replacingOccurrences(of: ".log", with: ".jsonl")
        let line = try String(contentsOfFile: jsonPath, encoding: .utf8)
        let record = try JSON.parse(line.trimmingCharacters(in: .newlines))
        #expect(record["message"] == "hello \"world\"")
        #expect(record["level"] == "info")
        #expect(record["metadata"]?["bucket.id"] == "b1")
        #expect(recent.newestFirst().first?.message == "hello \"world\"")
    }
}
