import Analysis
import Foundation
import Grader
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
            var ci95Low: Double
            var ci95High: Double
            var tasksGraded: Int
            var tasksAvailable: Int
            var steps: [AdaptiveTest.Step]
            enum CodingKeys: String, CodingKey {
                case theta, se, ci95Low = "ci95_low", ci95High = "ci95_high", tasksGraded = "tasks_graded", tasksAvailable = "tasks_available", steps
            }
        }
        let result = Result(
            theta: test.theta, se: test.se, ci95Low: test.theta - 1.96 * test.se, ci95High: test.theta + 1.96 * test.se,
            tasksGraded: test.steps.count, tasksAvailable: available.count, steps: test.steps)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(result).write(to: URL(fileURLWithPath: options.outDirectory + "/adaptive.json"))
        print(String(format: "adaptive: θ %+.3f [%+.3f, %+.3f] (SE %.3f) after %d of %d tasks", test.theta, result.ci95Low, result.ci95High, test.se, test.steps.count, available.count))
        for ability in document.model.abilities.sorted(by: { $0.theta > $1.theta }) {
            print(String(format: "  beside %-24@ θ %+.3f", ability.run as NSString, ability.theta))
        }
        print("results: \(options.outDirectory)/samples.jsonl, \(options.outDirectory)/adaptive.json")
    }
}
