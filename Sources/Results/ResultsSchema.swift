/// The version of the rows and summaries Proctor writes (`schema_version` in each). It changes
/// when a field changes meaning or goes away; new fields do not change it. A reader meets a
/// row of a later version with a clear message rather than misreading it, and rows without one
/// (written before versions were) as version 0, whose fields are version 1's.
public enum ResultsSchema {
    public static let version = 1

    /// Why a row or summary of `version` cannot be read by this Proctor, or nil when it can.
    public static func unreadable(version found: Int?, in file: String) -> String? {
        guard let found, found > version else { return nil }
        return "\(file): written with results schema version \(found); this Proctor reads up to \(version) (use a newer proctor)"
    }
}
