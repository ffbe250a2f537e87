import Analysis
import Foundation
import Grader
import Results
import Sandbox

/// `proctor grade --items items.json --adaptive K`: the adaptive test (Analysis) asks for one
/// task at a time; its samples are graded here with the run's grader; rows go to
/// OUT/samples.jsonl, the ability estimate and every step to OUT/adaptive.json.
struct AdaptiveGrading {
    let options: GradeOptions
    let itemsPath: String
    let maxItems: Int
    let seTarget: Double

    func run() throws {
        let document = try ItemsDocument.read(itemsPath)
        let problems: ProblemSet
        var byTask: [String: [Sample]] = [:]
        do {
            problems = try ProblemSet(path: options.problemsPath, key: options.sealKey)
            _ = try SampleFile(path: options.samplesPath, problems: problems)
            try SampleFile.read(path: options.samplesPath) { (sample: Sample) throws(GradeError) in byTask[sample.taskID, default: []].append(sample) }
        } catch {
            throw CLIFailure.from(error)
        }
        let known = Set(document.model.items.map(\.task))
        let available = Set(byTask.keys).intersection(known)
        guard !available.isEmpty else {
            throw CLIFailure.usage("proctor: none of the samples' tasks is in \(itemsPath)")
        }
        let grader: SampleGrader
        do {
            grader = try SampleGrader(
                profile: options.profile, limits: options.limits, pool: options.pool, proctorVersion: options.proctorVersion,
                stdio: options.stdio, differential: options.differential)
        } catch {
            throw CLIFailure.from(error)
        }
        try FileManager.default.createDirectory(atPath: options.outDirectory, withIntermediateDirectories: true)
        var rows: [UInt8] = []
        let pool = grader.makePool()
        defer { pool?.shutdown() }
        var test = AdaptiveTest(items: document.model.items, maxItems: maxItems, targetSE: seTarget)
        test.run(available: available) { task in
            var passed = 0
            let samples = byTask[task] ?? []
            for sample in samples {
                let graded = grader.grade(sample, of: problems.problems[task]!, key: grader.key(sample, problems.problems[task]!), pool: pool)
                rows += graded.line + [UInt8(ascii: "\n")]
                if graded.passed { passed += 1 }
            }
            let step = (samples.count, passed)
            FileHandle.standardError.write(Data("  \(task): \(passed)/\(samples.count)\n".utf8))
            return step
        }
        try Data(rows).write(to: URL(fileURLWithPath: options.outDirectory + "/samples.jsonl"))
        struct Result: Codable {
            var theta: Double
            var se: Double
            /// nil on the side θ extrapolated to (`extrapolated`).
            @ExplicitNull var ci95Low: Double?
            @ExplicitNull var ci95High: Double?
            @ExplicitNull var extrapolated: AdaptiveTest.Extrapolation?
            var fittedThetaRange: [Double]
            var tasksGraded: Int
            var tasksAvailable: Int
            var steps: [AdaptiveTest.Step]
            enum CodingKeys: String, CodingKey {
                case theta, se, ci95Low = "ci95_low", ci95High = "ci95_high", extrapolated, fittedThetaRange = "fitted_theta_range"
                case tasksGraded = "tasks_graded", tasksAvailable = "tasks_available", steps
            }
        }
        let fitted = document.model.abilities.map(\.theta)
        let interval = test.interval(fitted: fitted)
        let extrapolated = test.extrapolation(fitted: fitted)
        let result = Result(
            theta: test.theta, se: test.se, ci95Low: interval.low, ci95High: interval.high, extrapolated: extrapolated,
            fittedThetaRange: fitted.isEmpty ? [] : [fitted.min()!, fitted.max()!], tasksGraded: test.steps.count,
            tasksAvailable: available.count, steps: test.steps)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(result).write(to: URL(fileURLWithPath: options.outDirectory + "/adaptive.json"))
        func bound(_ value: Double?, _ open: String) -> String { value.map { String(format: "%+.3f", $0) } ?? open }
        print(
            String(
                format: "adaptive: θ %+.3f [%@, %@] (SE %.3f) after %d of %d tasks", test.theta, bound(interval.low, "-∞"),
                bound(interval.high, "+∞"), test.se, test.steps.count, available.count))
        if let extrapolated, let low = fitted.min(), let high = fitted.max() {
            FileHandle.standardError.write(
                Data(
                    String(
                        format:
                            "proctor: WARNING: θ is %@ every run the items were fitted on (θ %+.3f to %+.3f): the estimate extrapolates and the prior pulls it toward the middle, so only a %@ bound is given; grade fully for a number\n",
                        extrapolated == .above ? "above" : "below", low, high, extrapolated == .above ? "lower" : "upper"
                    ).utf8))
        }
        for ability in document.model.abilities.sorted(by: { $0.theta > $1.theta }) {
            print(String(format: "  beside %-24@ θ %+.3f", ability.run as NSString, ability.theta))
        }
        print("results: \(options.outDirectory)/samples.jsonl, \(options.outDirectory)/adaptive.json")
    }
}
