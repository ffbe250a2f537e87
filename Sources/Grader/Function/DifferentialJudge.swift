import Foundation
import Results
import Sandbox

/// Grades one sample of an inputs problem: the reference's cases (from `ReferenceStore`) go to
/// the tester as data, the candidate's results cross back as plain data, and the tester's
/// records say how each group of inputs went.
struct DifferentialJudge {
    let sandbox: Sandbox
    let limits: ResourceLimits
    let options: DifferentialOptions
    let references: ReferenceStore

    /// How the groups of inputs went, from the tester's records.
    struct Groups {
        struct Group {
            var status: GroupStatus
            var done: Int
            var total: Int
        }

        var groups: [String: Group] = [:]
        /// The first input that failed: group, index, kind (`wrong`, `raised`, `timeout`), detail.
        var failure: (group: String, index: Int, kind: String, detail: String)?
        /// An input ran past its own limit (milliseconds).
        var timedOut: (group: String, index: Int, limitMs: Int)?

        init(control: [String]) {
            for line in control {
                let fields = line.split(separator: " ", maxSplits: 4)
                if fields.count == 5, fields[0] == "group", let done = Int(fields[3]), let total = Int(fields[4]) {
                    let status: GroupStatus = fields[2] == "passed" ? .pass : fields[2] == "skipped" ? .skipped : .fail
                    groups[String(fields[1])] = Group(status: status, done: done, total: total)
                } else if line.hasPrefix("failure "), failure == nil {
                    let (head, _, detail) = line.dropFirst("failure ".count).partitioned("\t")
                    let parts = head.split(separator: " ")
                    if parts.count == 3, let index = Int(parts[1]) {
                        failure = (String(parts[0]), index, String(parts[2]), ControlText.unescape(detail))
                    }
                } else if fields.count == 4, fields[0] == "case_timeout", let index = Int(fields[2]), let limit = Int(fields[3]) {
                    timedOut = (String(fields[1]), index, limit)
                    if groups[String(fields[1])] != nil { groups[String(fields[1])]!.status = .timeout }
                }
            }
        }

        func passed(_ name: String) -> Bool? { groups[name].map { $0.status == .pass } }
    }

    func judge(
        _ sample: Sample, of problem: Problem, task: DifferentialTask, key: String, pool: WarmPool?, context: GradeContext
    ) -> GradedSample {
        let program = AssembledProgram(problem: problem, sample: sample)
        switch references.cases(for: problem, task: task, sandbox: sandbox, limits: limits, options: options) {
        case .failure(let error):
            // A task whose reference cannot be run grades nobody: every sample says why, none passes
            // (`reference_error`: the task's fault, not the sample's nor the machine's, so a queue
            // does not retry it).
            if problem.hidden {
                // Its error may quote the hidden inputs: only that there was one.
                let row = HiddenRecord.row(
                    sample: sample, problem: problem, outcome: .referenceError, key: key, context: context, limits: limits,
                    candidateSHA256: Digest.sha256(program.candidate), settings: auditSettings(problem: problem, task: task))
                return HiddenRecord.graded(row, taskID: sample.taskID, outcome: .referenceError, basePassed: false)
            }
            var row = sample.fields
            row["task_id"] = .string(sample.taskID)
            row["completion_id"] = .string(sample.completionID)
            row["passed"] = .bool(false)
            row["status"] = .string(SampleStatus.referenceError.rawValue)
            row["result"] = .string(ResultText.failed(error.message))
            // The audit every row has (nothing ran: no program digest, no isolation).
            var audit: [String: JSONValue] = [
                "key": .string(key), "problem_sha256": .string(problem.sha256), "sample_sha256": .string(sample.sha256),
                "profile": .string(context.profileName), "profile_sha256": .string(context.profileSHA256),
                "proctor_version": .string(context.proctorVersion), "python_version": .string(context.pythonVersion),
                "kernel": .string(context.kernel), "pool": .string(context.pool), "samples_line": .integer(Int64(sample.line)),
                "limits": HiddenRecord.limitsObject(limits), "timestamp": .string(Timestamp.now()),
            ]
            audit.merge(auditSettings(problem: problem, task: task)) { $1 }
            row["audit"] = .object(audit)
            return GradedSample(
                taskID: sample.taskID, status: .referenceError, passed: false, wallMs: 0, cpuMs: 0, peakRssKiB: 0,
                line: ResultRow.encode(row), basePassed: false)
        case .success(let cases):
            let nonce = String(UInt64.random(in: 1...UInt64.max), radix: 16)
            var runLimits = limits
            runLimits.wall = cases.wall(options: options, atLeast: limits.wall)
            runLimits.cpu = TimeSpan(milliseconds: max(limits.cpu.milliseconds, runLimits.wall.milliseconds))
            var spec = "tests=.proctor-tests.py\nstyle=inputs\nnonce=\(nonce)\nentry_point=\(task.entryPoint)\n"
            spec += "hidden=\(problem.hidden ? 1 : 0)\nlimits=" + cases.limits(options).map { String(format: "%.4f", $0) }.joined(separator: ",") + "\n"
            var request = RunRequest(source: program.candidate, programName: "program.py", limits: runLimits)
            request.files = [".proctor-harness": Array(spec.utf8), ".proctor-tests.py": cases.blob]
            let outcome = pool?.run(request) ?? sandbox.run(request)
            let groups = Groups(control: outcome.control)
            var verdict = Verdict(outcome: outcome, nonce: nonce)
            if let late = groups.timedOut {
                verdict = verdict.timedOut(
                    message: "\(late.group) input #\(late.index) took longer than its limit of \(late.limitMs) ms")
            }
            var base = groups.passed("base")
            var plus = groups.passed("plus")
            if verdict.passed {
                // Completed: every group that has inputs passed (the nonce says so, not a record).
                base = cases.count("base") > 0 ? true : nil
                plus = cases.count("plus") > 0 ? true : nil
            } else {
                if cases.count("base") > 0 && base == nil { base = false }
                if cases.count("plus") > 0 && plus == nil { plus = false }
                if base == true && plus == true { (base, plus) = (cases.count("base") > 0 ? true : nil, false) }
            }
            // Without plus inputs the base result is the result; with them, both must pass.
            let basePassed = base ?? verdict.passed
            if problem.hidden {
                // One bit per group of hidden inputs; not which input, nor how it failed.
                var bits: [String: Bool] = [:]
                if let base { bits["base_passed"] = base }
                if let plus { bits["plus_passed"] = plus }
                let hidden = HiddenRecord.Outcome(passed: verdict.passed, sandboxFailed: verdict.status == .internalError)
                let row = HiddenRecord.row(
                    sample: sample, problem: problem, outcome: hidden, key: key, context: context, limits: limits,
                    candidateSHA256: Digest.sha256(program.candidate), settings: auditSettings(problem: problem, task: task), groups: bits)
                return HiddenRecord.graded(
                    row, taskID: sample.taskID, outcome: hidden, wallMs: outcome.wallMs, cpuMs: outcome.cpuMs,
                    peakRssKiB: Double(outcome.peakRssKiB), basePassed: basePassed)
            }
            var row = ResultRow.build(
                sample: sample, problem: problem, program: program, outcome: outcome, verdict: verdict, key: key, context: context)
            func status(_ name: String, _ passed: Bool?) -> JSONValue {
                guard cases.count(name) > 0 else { return .null }
                if passed == true { return .string(GroupStatus.pass.rawValue) }
                return .string((groups.groups[name]?.status ?? (verdict.status == .timeout ? .timeout : .fail)).rawValue)
            }
            row["base_passed"] = base.map(JSONValue.bool) ?? .null
            row["plus_passed"] = plus.map(JSONValue.bool) ?? .null
            row["base_status"] = status("base", base)
            row["plus_status"] = status("plus", plus)
            row["inputs"] = .object(["base": .integer(Int64(cases.count("base"))), "plus": .integer(Int64(cases.count("plus")))])
            if let failure = groups.failure {
                var failing: [String: JSONValue] = [
                    "group": .string(failure.group), "index": .integer(Int64(failure.index)), "kind": .string(failure.kind),
                ]
                if !failure.detail.isEmpty { failing["detail"] = .string(String(failure.detail.prefix(600))) }
                row["failing_input"] = .object(failing)
            }
            if case .object(var audit)? = row["audit"] {
                audit["reference_sha256"] = .string(cases.sha256)
                audit.merge(auditSettings(problem: problem, task: task)) { $1 }
                row["audit"] = .object(audit)
            }
            return GradedSample(
                taskID: sample.taskID, status: verdict.status, passed: verdict.passed, wallMs: outcome.wallMs, cpuMs: outcome.cpuMs,
                peakRssKiB: Double(outcome.peakRssKiB), line: ResultRow.encode(row), basePassed: basePassed)
        }
    }
}

extension DifferentialJudge {
    /// The run's settings an inputs row records (the same seed regenerates the same tests).
    func auditSettings(problem: Problem, task: DifferentialTask) -> [String: JSONValue] {
        var settings: [String: JSONValue] = ["time_factor": .number(options.timeFactor), "time_floor_s": .number(options.timeFloor)]
        if task.generator != nil {
            settings["seed"] = .string(String(options.seed))
            settings["task_seed"] = .string(String(options.seed(for: problem.taskID)))
        }
        return settings
    }
}

extension Substring {
    /// (before, separator found, after) at the first `separator`.
    func partitioned(_ separator: Character) -> (Substring, Bool, Substring) {
        guard let index = firstIndex(of: separator) else { return (self, false, self[endIndex...]) }
        return (self[startIndex..<index], true, self[self.index(after: index)...])
    }
}
