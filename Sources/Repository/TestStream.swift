/// What the trusted pytest plugin (`Sandboxes/python/proctor_pytest.py`) streamed through the
/// repository runner while the tests ran: each test phase's outcome as pytest decided it, what
/// the plugin's audit hook saw, and whether pytest reached the end of its session.
struct TestStream {
    /// Per test: failed if any phase failed, else skipped if any phase was skipped, else passed
    /// once its call phase passed.
    var tests: [String: JUnitReport.Outcome] = [:]
    var suspicious: [String] = []
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
