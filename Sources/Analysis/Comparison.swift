import Estimates
import Foundation
import Results

/// Two runs paired over the tasks both graded: B − A in pass@1 (and pass@k) with a paired
/// bootstrap interval over tasks, McNemar's exact test on the tasks each run solves (a task is
/// solved when at least half its samples pass), a relabelling test of equal per-task pass rates
/// that holds its level for any sample counts (`SampleRelabelling`), the exact sign test on
/// per-task pass rates when both runs have the same number of samples per task (only then is
/// it valid), the tasks that flipped, and warnings when the runs were not graded alike.
public struct Comparison: Sendable, Codable {
    public struct Difference: Sendable, Codable, Equatable {
        public var k: Int
        public var a: Double
        public var b: Double
        public var difference: Double
        public var low: Double
        public var high: Double
    }

    public var a: String
    public var b: String
    public var sharedTasks: Int
    public var onlyInA: Int
    public var onlyInB: Int
    public var differences: [Difference]
    /// Tasks solved by A only (b) and by B only (c), and McNemar's exact p-value.
    public var solvedOnlyByA: [String]
    public var solvedOnlyByB: [String]
    public var mcNemarP: Double
    /// Tasks whose pass rate rose / fell, and the exact sign test's p-value: nil when some shared
    /// task has a different number of samples in the two runs (the test's level does not hold
    /// then: a model against itself at 1 vs 50 samples per task comes out "significant").
    public var rose: Int
    public var fell: Int
    @ExplicitNull public var signTestP: Double?
    /// Two-sided p of the samples-relabelling test (`SampleRelabelling`), valid for any counts.
    public var relabellingP: Double
    /// Samples per task in A and in B when they differ somewhere (e.g. "1 vs 50"), else nil.
    @ExplicitNull public var unequalSamples: String?
    public var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case a, b, sharedTasks = "shared_tasks", onlyInA = "only_in_a", onlyInB = "only_in_b", differences
        case solvedOnlyByA = "solved_only_by_a", solvedOnlyByB = "solved_only_by_b", mcNemarP = "mcnemar_p", rose, fell
        case signTestP = "sign_test_p", relabellingP = "relabelling_p", unequalSamples = "unequal_samples", warnings
    }

    public init(_ first: RunResults, _ second: RunResults) throws(AnalysisError) {
        a = first.name
        b = second.name
        let shared = first.taskOrder.filter { second.tasks[$0] != nil }
        guard !shared.isEmpty else { throw AnalysisError("\(first.name) and \(second.name) share no task") }
        sharedTasks = shared.count
        onlyInA = first.taskOrder.count - shared.count
        onlyInB = second.taskOrder.count - shared.count
        let smallest = shared.map { min(first.tasks[$0]!.n, second.tasks[$0]!.n) }.min()!
        differences = [1, 10, 100].filter { $0 <= smallest }.map { k in
            let left = shared.map { PassAtK.estimate(n: first.tasks[$0]!.n, c: first.tasks[$0]!.c, k: k)! }
            let right = shared.map { PassAtK.estimate(n: second.tasks[$0]!.n, c: second.tasks[$0]!.c, k: k)! }
            let perTask = zip(right, left).map { $0 - $1 }
            let interval = PairedTests.pairedBootstrapInterval(perTask)!
            let mean = { (values: [Double]) in values.reduce(0, +) / Double(values.count) }
            return Difference(k: k, a: mean(left), b: mean(right), difference: mean(perTask), low: interval.low, high: interval.high)
        }
        func solved(_ task: RunResults.Task) -> Bool { 2 * task.c >= task.n && task.n > 0 }
        solvedOnlyByA = shared.filter { solved(first.tasks[$0]!) && !solved(second.tasks[$0]!) }
        solvedOnlyByB = shared.filter { !solved(first.tasks[$0]!) && solved(second.tasks[$0]!) }
        mcNemarP = PairedTests.mcNemarExact(b: solvedOnlyByA.count, c: solvedOnlyByB.count)
        rose = shared.filter { second.tasks[$0]!.passRate > first.tasks[$0]!.passRate }.count
        fell = shared.filter { second.tasks[$0]!.passRate < first.tasks[$0]!.passRate }.count
        let unequal = shared.filter { first.tasks[$0]!.n != second.tasks[$0]!.n }
        if unequal.isEmpty {
            signTestP = PairedTests.exactBinomialTwoSided(successes: min(rose, fell), trials: rose + fell)
            unequalSamples = nil
        } else {
            signTestP = nil
            func counts(_ run: RunResults) -> String {
                let values = Set(shared.map { run.tasks[$0]!.n }).sorted()
                return values.count == 1 ? "\(values[0])" : "\(values.first!)–\(values.last!)"
            }
            unequalSamples = "\(counts(first)) vs \(counts(second))"
        }
        relabellingP = SampleRelabelling.pValue(
            shared.map {
                SampleRelabelling.Task(nA: first.tasks[$0]!.n, cA: first.tasks[$0]!.c, nB: second.tasks[$0]!.n, cB: second.tasks[$0]!.c)
            })
        var warnings: [String] = []
        let differentProblems = shared.filter {
            let x = first.tasks[$0]!.problemSHA256, y = second.tasks[$0]!.problemSHA256
            return x != nil && y != nil && x != y
        }
        if !differentProblems.isEmpty {
            warnings.append("\(differentProblems.count) shared task(s) were graded with different problems (e.g. \(differentProblems[0]))")
        }
        if onlyInA + onlyInB > 0 { warnings.append("the runs do not cover the same tasks (\(onlyInA) only in \(a), \(onlyInB) only in \(b)); compared on the \(shared.count) shared") }
        if let x = first.audit.profileSHA256, let y = second.audit.profileSHA256, x != y {
            warnings.append("different sandbox profiles (\(first.audit.profile ?? "?") \(x.prefix(12)) vs \(second.audit.profile ?? "?") \(y.prefix(12)))")
        }
        if first.audit.limits != second.audit.limits, !first.audit.limits.isEmpty, !second.audit.limits.isEmpty {
            let keys = Set(first.audit.limits.keys).union(second.audit.limits.keys).sorted().filter { first.audit.limits[$0] != second.audit.limits[$0] }
            warnings.append("different limits: " + keys.map { "\($0) \(Self.format(first.audit.limits[$0])) vs \(Self.format(second.audit.limits[$0]))" }.joined(separator: ", "))
        }
        if let x = first.audit.proctorVersion, let y = second.audit.proctorVersion, x != y { warnings.append("different proctor versions (\(x) vs \(y))") }
        self.warnings = warnings
    }

    static func format(_ value: Double?) -> String { value.map { $0 == $0.rounded() ? String(Int64($0)) : String($0) } ?? "none" }

    /// The comparison as a terminal table.
    public var table: String {
        var lines = ["\(b) vs \(a) on \(sharedTasks) shared task(s) (B − A, paired bootstrap 95% CI over tasks)"]
        for difference in differences {
            lines.append(
                String(
                    format: "  pass@%-4d A %.4f  B %.4f  diff %+.4f  [%+.4f, %+.4f]", difference.k, difference.a, difference.b,
                    difference.difference, difference.low, difference.high))
        }
        lines.append(String(format: "  McNemar exact p = %.4g  (solved only by A: %d, only by B: %d)", mcNemarP, solvedOnlyByA.count, solvedOnlyByB.count))
        lines.append(String(format: "  relabelling test p = %.4g  (equal per-task pass rates; valid for any samples per task)", relabellingP))
        if let signTestP {
            lines.append(String(format: "  sign test p = %.4g  (pass rate rose on %d tasks, fell on %d)", signTestP, rose, fell))
        } else {
            lines.append(
                "  sign test: not shown — samples per task differ (\(unequalSamples ?? "?")), where its level does not hold"
                    + " (pass rate rose on \(rose) tasks, fell on \(fell))")
        }
        if !solvedOnlyByB.isEmpty { lines.append("  gained (solved by B only): " + Self.list(solvedOnlyByB)) }
        if !solvedOnlyByA.isEmpty { lines.append("  lost (solved by A only):   " + Self.list(solvedOnlyByA)) }
        for warning in warnings { lines.append("  WARNING: \(warning)") }
        return lines.joined(separator: "\n")
    }

    static func list(_ tasks: [String]) -> String { tasks.prefix(20).joined(separator: ", ") + (tasks.count > 20 ? ", … (\(tasks.count))" : "") }
}
