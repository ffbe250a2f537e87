import Sandbox

/// What the repository runner (`Sandboxes/python/repo_runner.py`) said on the control channel,
/// parsed strictly: one record a line, tab-separated fields, each escaped (`\\`, `\n`, `\t`,
/// `\r`). Lines of any other shape are ignored. Only the runner holds the channel; no repository
/// code runs in its process.
struct RunnerRecords {
    var applyLog: [String] = []
    var applied: (strategy: String, fuzzy: Bool)?
    var applyFailed = false
    var testPatchFailure: String?
    var testsStarted = false
    /// The eval script's exit status (SWE mode): what the tests cannot forge.
    var testsFinished: Int32?
    /// Records on the test stream's pipe whose MAC or sequence failed the runner's check.
    var forgedStreamRecords = 0

    /// `control`: the records, each split at tabs and unescaped.
    init(_ control: [[String]]) {
        for fields in control {
            switch (fields.first, fields.count) {
            case ("apply_try", 4): applyLog.append("\(fields[1]): \(fields[2]) — \(fields[3])")
            case ("applied", 3) where ["git apply", "patch --fuzz", "nothing"].contains(fields[1]) && ["fuzzy", "exact"].contains(fields[2]):
                applied = (fields[1], fields[2] == "fuzzy")
            case ("apply_failed", 1): applyFailed = true
            case ("test_patch_failed", 2): testPatchFailure = fields[1]
            case ("tests_started", 1): testsStarted = true
            case ("tests_finished", 2): testsFinished = Int32(fields[1])
            case ("stream_forged", 2): forgedStreamRecords = max(forgedStreamRecords, Int(fields[1]) ?? 1, 1)
            default: continue
            }
        }
    }
}
