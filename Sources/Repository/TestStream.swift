/// What Proctor's test stream (`Sandboxes/python/proctor_stream.py`, under the pytest plugin or
/// the unittest watcher) sent through the repository runner while the tests ran, each record's
/// MAC checked by the runner: each test phase's outcome as the test runner decided it, what the
/// audit hook saw, and whether the run started and reached its end.
struct TestStream {
    /// Per test: failed if any phase failed, else skipped if any phase was skipped, else passed
    /// once its call phase passed.
    var tests: [String: JUnitReport.Outcome] = [:]
    var suspicious: [String] = []
    /// The stream began (before any repository code ran in the test process): from then on a
    /// stream that never says `finish` was cut or ended early.
    var started = false
    var finished = false
    var exitStatus: Int?

    init(_ records: [[String]]) {
        var phases: [String: (call: Bool, failed: Bool, skipped: Bool)] = [:]
        for fields in records {
            switch (fields.first, fields.count) {
            case ("outcome", 4):
                var state = phases[fields[1]] ?? (false, false, false)
                switch fields[3] {
                case "failed": state.failed = true
                case "skipped": state.skipped = true
                case "passed" where fields[2] == "call": state.call = true
                default: break
                }
                phases[fields[1]] = state
            case ("started", 1): started = true
            case ("suspicious", 3): suspicious.append("\(fields[1]): \(fields[2])")
            case ("finish", 2):
                finished = true
                exitStatus = Int(fields[1])
            default: continue
            }
        }
        for (id, state) in phases {
            tests[id] = state.failed ? .failed : state.skipped ? .skipped : state.call ? .passed : .error
        }
    }

    /// The tests among `names` on whose passing the stream and the JUnit report disagree.
    func disagreements(with report: JUnitReport, on names: [String]) -> [String] {
        names.filter { (tests[$0] == .passed) != (report.tests[$0] == .passed) }
    }
}
