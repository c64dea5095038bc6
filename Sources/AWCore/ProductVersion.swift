/// This release of aw-server-swift: the one place its version is written. `aw-server --version`,
/// `aw --version`, `GET /api/0/info` and the names of the Debian package and the tarball
/// (`scripts/package.sh` reads `number` from this file) all take it from here.
public enum ProductVersion {
    /// The release number, e.g. `0.1.0`.
    public static let number = "0.1.0"
    /// The version as the server reports it, in ActivityWatch's form: `v0.1.0 (swift)`.
    public static let display = "v\(number) (swift)"
}
