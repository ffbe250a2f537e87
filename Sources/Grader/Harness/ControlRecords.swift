import Sandbox

/// The records on the control channel (fd 3) that more than one reader needs: the verdict of a
/// sample, the reference run's cases and amplify's problem line are vouched for this way (their bytes
/// in a file, `results`), and only the supervisor (never task or sample code) can write them.
enum ControlRecords {
    /// The first well-formed `exception TYPE<TAB>FILE<TAB>LINE<TAB>MESSAGE` record (FILE is
    /// `program` or `tests`), its fields unescaped.
    static func exception(in control: [String]) -> (type: String, file: String, line: Int, message: String)? {
        for record in control where record.hasPrefix("exception ") {
            let fields = record.dropFirst("exception ".count).split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false)
            if fields.count == 4, fields[1] == "program" || fields[1] == "tests" {
                return (ControlText.unescape(fields[0]), String(fields[1]), Int(fields[2]) ?? 0, ControlText.unescape(fields[3]))
            }
        }
        return nil
    }

    /// The file in which a reference or amplify run leaves its results (`results=` in its spec):
    /// written by the supervisor beside the run's inputs, read back as `Outcome.outputs`.
    static let resultsFile = ".proctor-results"

    /// The results the supervisor wrote, or nil when it wrote none. The file is the run's to
    /// write (the reference's own process could reach it too), so it counts only when its sha256
    /// is the one the supervisor announced on fd 3 (`results SHA256 BYTES`), which only it holds.
    static func results(of outcome: Outcome) -> [UInt8]? {
        guard let bytes = outcome.outputs[resultsFile], !bytes.isEmpty else { return nil }
        let announced = outcome.control.last { $0.hasPrefix("results ") }?.split(separator: " ")
        guard let announced, announced.count == 3, announced[1] == Substring(Digest.sha256(bytes)), announced[2] == Substring(String(bytes.count))
        else { return nil }
        return bytes
    }
}
