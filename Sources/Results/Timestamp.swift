#if canImport(Glibc)
    import Glibc
#endif

/// UTC timestamps for result rows and summaries, as ISO 8601 (`2026-11-23T14:42:14Z`).
///
/// Formatted by hand from `gmtime_r`: a Foundation `ISO8601DateFormatter` costs more to create
/// than grading a warm sample, and every row carries a timestamp.
public enum Timestamp {
    public static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
