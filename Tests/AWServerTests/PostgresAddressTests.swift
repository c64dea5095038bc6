import Testing

@testable import AWPostgres

@Suite("PostgreSQL addresses")
struct PostgresAddressTests {
    static let reserved = ["#", "/", "?", "@", " ", ":", "%", "%zz"]

    @Test("a password holding any URL character is read as typed, and as percent-encoded", arguments: reserved)
    func passwords(character: String) throws {
        let password = "a\(character)b"
        let typed = try PostgresAddress("postgres://aw:\(password)@db.example:6543/tracker?sslmode=disable")
        #expect(typed.user == "aw" && typed.password == password)
        #expect(
            typed.host == "db.example" && typed.port == 6543 && typed.database == "tracker" && typed.tls == .disable)
        let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        #expect(try PostgresAddress("postgres://aw:\(encoded)@db.example/tracker").password == password)
        #expect(!typed.description.contains(password))
    }

    @Test("errors never show what lies between :// and the last @")
    func errorsHideCredentials() {
        for text in [
            "postgres://aw:p#a/s?s@w rd@host/db?sslmode=sometimes", "postgres://aw:se:cret@host:99999/db",
            "mysql://aw:secret@host/db", "postgres://aw:secret@host/db?color=blue", "postgres:aw:secret@host/db",
        ] {
            #expect {
                try PostgresAddress(text)
            } throws: { error in
                let message = "\(error)"
                return !message.contains("secret") && !message.contains("s?s") && !message.contains("w rd")
                    && message.contains("***")
            }
        }
    }
}
