/// The version of the rows, summaries and reports Proctor writes (`schema_version` in each;
/// `docs/results-schema.json` describes it). It changes when a field changes meaning or goes
/// away; new fields do not change it. A reader meets a row of a later version with a clear
/// message rather than misreading it, and rows without one (written before versions were) as
/// the first, whose fields are this version's.
///
/// Version 2 is the first with one schema for every file: a repository run's report.json had
/// counted its own versions up to 2, and sample rows and summaries had just begun at 1.
public enum ResultsSchema {
    public static let version = 2

    /// Why a row or summary of `version` cannot be read by this Proctor, or nil when it can.
    public static func unreadable(version found: Int?, in file: String) -> String? {
        guard let found, found > version else { return nil }
        return "\(file): written with results schema version \(found); this Proctor reads up to \(version) (use a newer proctor)"
    }
}
