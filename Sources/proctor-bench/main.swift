// proctor-bench: what isolation costs per run, measured with real processes (`make bench`).
//
// Part 1 compares the median wall time of `python3 -I -S -c pass` started bare (posix_spawn + wait)
// with the same command run through the sandbox (every layer on), and with the full
// python-strict profile (bootstrap, stacked filter) running an empty program.
// Part 2 grades a 1,640-sample HumanEval set (10 per task, each the canonical solution or
// `return None`, chosen with a fixed seed) with `proctor grade`'s engine and every isolation
// layer on, and reports samples/s and ms/sample.
// Last, the analysis layer: a 100,000-row run (rows shaped as `proctor grade` writes them, audit
// block included) read and rendered as the HTML report, and a 2PL fit of 24 runs × 164 tasks.
import Analysis
import Foundation
import Results
import Grader
import Queue
import Sandbox

#if canImport(Glibc)
    import Glibc
#endif

let runs = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 200
/// `proctor-bench analysis`: only the analysis layer (no sandbox runs).
let analysisOnly = CommandLine.arguments.dropFirst().first == "analysis"
/// `proctor-bench runtime OTHER_SANDBOXES`: the cold per-run cost of this tree's in-sandbox
/// runtime against another tree's (a checkout before a change), runs interleaved.
let runtimeBaseline = CommandLine.arguments.dropFirst().first == "runtime" ? CommandLine.arguments.dropFirst(2).first : nil
/// `proctor-bench languages`: only the per-language part.
let languagesOnly = CommandLine.arguments.dropFirst().first == "languages"
let python = "/usr/bin/python3"

func milliseconds(_ body: () -> Void) -> Double {
    var start = timespec()
    var end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    body()
    clock_gettime(CLOCK_MONOTONIC, &end)
    return Double(end.tv_sec - start.tv_sec) * 1000 + Double(end.tv_nsec - start.tv_nsec) / 1_000_000
}

func summary(_ label: String, _ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    let median = sorted[sorted.count / 2]
    let p90 = sorted[min(sorted.count - 1, sorted.count * 9 / 10)]
    let padded = label.padding(toLength: 40, withPad: " ", startingAt: 0)
    print(padded + String(format: " median %7.2f ms   p90 %7.2f ms   (n=%d)", median, p90, samples.count))
    return median
}

func bare() -> Double {
    milliseconds {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(python), strdup("-I"), strdup("-S"), strdup("-c"), strdup("pass"), nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, python, nil, nil, argv, nil) == 0 else { fatalError("posix_spawn failed") }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}

do {
    if analysisOnly {
        try analysis()
        exit(0)
    }
    if let runtimeBaseline {
        try compareRuntimes(baseline: runtimeBaseline)
        exit(0)
    }
    let directory = try SandboxesDirectory.locate()
    if languagesOnly {
        try languages(directory: directory)
        exit(0)
    }
    let strict = try SandboxProfile.load(named: "python-strict", sandboxesDirectory: directory)
    var plain = strict
    plain.definition.command = [python, "-I", "-S", "-c", "pass"]
    let plainSandbox = try Sandbox(profile: plain)
    let strictSandbox = try Sandbox(profile: strict)
    let empty = RunRequest(source: "pass\n")

    for _ in 0..<10 { _ = bare(); _ = plainSandbox.run(empty) }  // warm the page cache
    print("proctor-bench: \(runs) runs each, one at a time")
    let bareMedian = summary("bare python3 -I -S -c pass", (0..<runs).map { _ in bare() })
    var failures = 0
    let sandboxed = (0..<runs).map { _ in
        milliseconds { if plainSandbox.run(empty).statusText != "exited(0)" { failures += 1 } }
    }
    let sandboxMedian = summary("sandboxed python3 -I -S -c pass", sandboxed)
    // The same run in the host's tree (Landlock only): what building the minimal root costs.
    var hostRoot = plain
    hostRoot.definition.root = "host"
    let hostRootSandbox = try Sandbox(profile: hostRoot)
    let hostRooted = (0..<runs).map { _ in
        milliseconds { if hostRootSandbox.run(empty).statusText != "exited(0)" { failures += 1 } }
    }
    let hostRootMedian = summary("same, host tree (no minimal root)", hostRooted)
    print(String(format: "minimal root per cold run (median): %.2f ms", sandboxMedian - hostRootMedian))
    let full = (0..<runs).map { _ in
        milliseconds { if strictSandbox.run(empty).statusText != "exited(0)" { failures += 1 } }
    }
    _ = summary("python-strict profile, empty program", full)
    print(String(format: "sandbox overhead per run (median): %.2f ms (%.2fx bare)", sandboxMedian - bareMedian, sandboxMedian / bareMedian))
    if failures > 0 {
        print("proctor-bench: \(failures) runs did not exit cleanly")
        exit(1)
    }
    let forkFloor = try gradeHumanEval(profile: strict)
    try gradeStdio(profile: strict, humanEvalForkFloorMs: forkFloor)
    try languages(directory: directory)
    try analysis()

} catch {
    print("proctor-bench: \(error)")
    exit(1)
}

/// Part 2: the 1,640-sample HumanEval set through the grading engine.
/// Returns the fork-per-sample floor (ms/sample), nil without the dataset.
@discardableResult
func gradeHumanEval(profile: SandboxProfile) throws -> Double? {
    let dataset = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        .deletingLastPathComponent().appendingPathComponent("shared/datasets/HumanEval.jsonl.gz").path
    guard FileManager.default.fileExists(atPath: dataset) else {
        print("proctor-bench: \(dataset) not found; skipping the HumanEval grading benchmark")
        return nil
    }
    let problems = try ProblemSet(path: dataset)
    var generator = SplitMix64(seed: 20_261_123)
    var lines: [String] = []
    var expectedPasses = 0
    for task in problems.order {
        for _ in 0..<10 {
            let canonical = generator.next() % 2 == 0
            if canonical { expectedPasses += 1 }
            let completion = canonical ? problems.problems[task]!.canonicalSolution! : "    return None\n"
            let data = try JSONSerialization.data(withJSONObject: ["task_id": task, "completion": completion])
            lines.append(String(decoding: data, as: UTF8.self))
        }
    }
    let directory = NSTemporaryDirectory() + "proctor-bench-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let samples = directory + "/samples.jsonl"
    try (lines.joined(separator: "\n") + "\n").write(toFile: samples, atomically: true, encoding: .utf8)
    var limits = profile.definition.limits
    limits.wall = TimeSpan(seconds: 3)

    let programs = try lines.map { line -> String in
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: String]
        let problem = problems.problems[object["task_id"]!]!
        let sample =
            "{\"task_id\": \"\(problem.taskID)\", \"completion\": \(String(decoding: try JSONSerialization.data(withJSONObject: [object["completion"]!]), as: UTF8.self).dropFirst().dropLast())}"
        return try AssembledProgram(problem: problem, sample: SampleFile.parseOne(sample)).text
    }
    try programs.joined(separator: "\u{0}").write(toFile: directory + "/programs.txt", atomically: true, encoding: .utf8)
    // The floor: every program (candidate + tests + check) exec'd in one plain Python process,
    // no isolation at all (these samples are canonical solutions or `return None`: benign).
    // The fork floor: the same, but each program in a child forked from a process that has
    // imported what the warm pool imports — what "one process per sample" costs on this
    // interpreter before any isolation, pipe or grader work.
    let floorScript = """
        import gc, os, resource, sys
        import bisect, collections, functools, heapq, itertools, math, random, re, string, typing
        programs = open(sys.argv[1]).read().split("\\0")
        def run(program):
            try:
                exec(program, {})
                return True
            except BaseException:
                return False
        def cpu(who):
            usage = resource.getrusage(who)
            return usage.ru_utime + usage.ru_stime
        start = cpu(resource.RUSAGE_SELF)
        passed = sum(run(program) for program in programs)
        floor = cpu(resource.RUSAGE_SELF) - start
        gc.collect()
        gc.freeze()
        start = cpu(resource.RUSAGE_SELF)
        forked = 0
        for program in programs:
            child = os.fork()
            if child == 0:
                os._exit(0 if run(program) else 1)
            forked += os.waitpid(child, 0)[1] == 0
        fork_floor = cpu(resource.RUSAGE_SELF) - start + cpu(resource.RUSAGE_CHILDREN)
        print(passed, forked, floor, fork_floor)
        """
    let floorOutput = try floorWords(profile: profile, script: floorScript, input: directory + "/programs.txt")
    guard floorOutput.count == 4, let floorCPU = Double(floorOutput[2]), let forkFloorCPU = Double(floorOutput[3]) else {
        throw GradeError("bench: the floor script printed \(floorOutput)")
    }
    print(
        String(
            format: "in-process floor: %.2f s CPU for %d programs (%.2f ms/sample), %@ passed, no isolation",
            floorCPU, programs.count, floorCPU * 1000 / Double(programs.count), String(floorOutput[0])))
    print(
        String(
            format: "fork-per-sample floor: %.2f s CPU (%.2f ms/sample, %.2fx the in-process floor), %@ passed, no isolation",
            forkFloorCPU, forkFloorCPU * 1000 / Double(programs.count), forkFloorCPU / floorCPU, String(floorOutput[1])))

    var wall: [String: Double] = [:]
    for (mode, workers) in [(PoolMode.warm, 1), (.warm, 2), (.cold, 2)] {
        var options = GradeOptions(
            problemsPath: dataset, samplesPath: samples, outDirectory: directory + "/out-\(mode)-\(workers)", profile: profile,
            limits: limits)
        options.ks = [1, 10]
        options.workers = workers
        options.pool = mode
        let summary = try GradeRun(options).run()
        wall["\(mode)-\(workers)"] = summary.wallSeconds
        print(
            String(
                format:
                    "HumanEval x10 (%d samples), %@, %d worker(s): %.1f samples/s, %.2f ms/sample, wall %.2f s, passed %d (expected %d), pass@1 %.4f",
                lines.count, mode.rawValue, workers, summary.samplesPerSecond, summary.wallSeconds * 1000 / Double(lines.count),
                summary.wallSeconds, summary.passed, expectedPasses, summary.passAtK[0].value ?? -1))
        if summary.passed != expectedPasses { throw GradeError("bench: \(summary.passed) passes, expected \(expectedPasses)") }
    }
    // Per core: the pool's wall time on 2 workers is 2 cores' worth of work.
    let warmPerCore = wall["warm-2"]! * 2
    print(
        String(
            format: "warm / floor (per core): %.2fx    warm / fork-per-sample floor (per core): %.2fx",
            warmPerCore / floorCPU, warmPerCore / forkFloorCPU))
    print(
        String(
            format: "cold / warm: %.2fx    2 workers vs 1 (warm): %.2fx faster",
            wall["cold-2"]! / wall["warm-2"]!, wall["warm-1"]! / wall["warm-2"]!))
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    print("grader peak RSS: \(usage.ru_maxrss / 1024) MiB")
    try queueThroughput(dataset: dataset, samples: samples, directory: directory, count: lines.count, direct: wall["warm-2"]!)
    return forkFloorCPU * 1000 / Double(programs.count)
}

/// Runs a floor script (no sandbox: the profile's interpreter, isolated mode) on `input` and
/// returns the words it printed.
func floorWords(profile: SandboxProfile, script: String, input: String) throws -> [Substring] {
    let floor = Process()
    floor.executableURL = URL(fileURLWithPath: profile.definition.command[0])
    floor.arguments = ["-I", "-S", "-c", script, input]
    let pipe = Pipe()
    floor.standardOutput = pipe
    try floor.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    floor.waitUntilExit()
    return output.split(whereSeparator: \.isWhitespace)
}

/// Part 3: the same set through the queue, as users run it — `proctor submit` to the SQLite
/// default, one `proctor worker` with 2 threads — timed from submit to the last stored result.
func queueThroughput(dataset: String, samples: String, directory: String, count: Int, direct: Double) throws {
    let proctor = FileManager.default.currentDirectoryPath + "/.build/release/proctor"
    guard FileManager.default.isExecutableFile(atPath: proctor) else {
        print("proctor-bench: \(proctor) not built; skipping the queue benchmark (make bench builds it)")
        return
    }
    let location = "sqlite:\(directory)/queue.sqlite"
    func launch(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: proctor)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
    var start = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    let submit = try launch(["submit", "--queue", location, "--run", "bench", "--problems", dataset, "--samples", samples, "--k", "1,10"])
    submit.waitUntilExit()
    guard submit.terminationStatus == 0 else { throw GradeError("bench: proctor submit failed") }
    let worker = try launch(["worker", "--queue", location, "--concurrency", "2"])
    defer {
        kill(worker.processIdentifier, SIGTERM)
        worker.waitUntilExit()
    }
    let queue = try QueueLocation(location).open()
    defer { queue.close() }
    while (try queue.status(run: "bench").count(.done)) < count {
        guard worker.isRunning else { throw GradeError("bench: proctor worker exited early") }
        usleep(20_000)
    }
    var end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &end)
    let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    print(
        String(
            format:
                "queue (SQLite, submit + 1 worker x 2 threads): %.1f samples/s, wall %.2f s; direct grade (warm, 2 workers): %.1f samples/s; queue overhead %.0f%%",
            Double(count) / seconds, seconds, Double(count) / direct, (seconds / direct - 1) * 100))
}

/// Part 4: stdin/stdout judging — 20 problems of 10 test cases, one right program each, so 200
/// test cases (and 20 syntax checks) run; warm and cold with 2 workers, against a fork-per-test
/// floor: each test case's program exec'd in a child forked from a warmed interpreter, stdin and
/// stdout as in-memory files, no isolation.
func gradeStdio(profile: SandboxProfile, humanEvalForkFloorMs: Double?) throws {
    let directory = NSTemporaryDirectory() + "proctor-bench-stdio-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var problems: [String] = []
    var samples: [String] = []
    var floorCases: [String] = []
    let program = "import sys\nvalues = sys.stdin.read().split()\nprint(sum(int(v) * FACTOR for v in values))\n"
    for task in 0..<20 {
        let code = program.replacingOccurrences(of: "FACTOR", with: String(task + 2))
        var tests: [[String: String]] = []
        for test in 0..<10 {
            let values = (0..<50).map { ($0 * 7 + test * 13 + task) % 1000 }
            tests.append([
                "input": values.map(String.init).joined(separator: " ") + "\n",
                "output": "\(values.reduce(0, +) * (task + 2))\n",
            ])
            floorCases.append(code + "\u{1}" + values.map(String.init).joined(separator: " ") + "\n")
        }
        let problem: [String: Any] = ["task_id": "bench/\(task)", "tests": tests, "time_limit": 2]
        problems.append(String(decoding: try JSONSerialization.data(withJSONObject: problem), as: UTF8.self))
        samples.append(String(decoding: try JSONSerialization.data(withJSONObject: ["task_id": "bench/\(task)", "completion": code]), as: UTF8.self))
    }
    try (problems.joined(separator: "\n") + "\n").write(toFile: directory + "/problems.jsonl", atomically: true, encoding: .utf8)
    try (samples.joined(separator: "\n") + "\n").write(toFile: directory + "/samples.jsonl", atomically: true, encoding: .utf8)
    try floorCases.joined(separator: "\u{0}").write(toFile: directory + "/cases.txt", atomically: true, encoding: .utf8)
    let floorScript = """
        import gc, io, os, resource, sys
        import bisect, collections, functools, heapq, itertools, math, random, re, string, typing
        cases = [case.split("\\1") for case in open(sys.argv[1]).read().split("\\0")]
        gc.collect()
        gc.freeze()
        def cpu(who):
            usage = resource.getrusage(who)
            return usage.ru_utime + usage.ru_stime
        start = cpu(resource.RUSAGE_SELF)
        for program, data in cases:
            child = os.fork()
            if child == 0:
                sys.stdin = io.StringIO(data)
                sys.stdout = io.StringIO()
                exec(program, {"__name__": "__main__"})
                os._exit(0)
            os.waitpid(child, 0)
        print(cpu(resource.RUSAGE_SELF) - start + cpu(resource.RUSAGE_CHILDREN))
        """
    let floorOutput = try floorWords(profile: profile, script: floorScript, input: directory + "/cases.txt")
    guard floorOutput.count == 1, let floorCPU = Double(floorOutput[0]) else {
        throw GradeError("bench: the stdio floor script printed \(floorOutput)")
    }
    let cases = floorCases.count
    print(String(format: "stdio fork-per-test floor: %.2f s CPU for %d test cases (%.2f ms/test case), no isolation", floorCPU, cases, floorCPU * 1000 / Double(cases)))
    var wall: [PoolMode: Double] = [:]
    for mode in [PoolMode.warm, .cold] {
        var options = GradeOptions(
            problemsPath: directory + "/problems.jsonl", samplesPath: directory + "/samples.jsonl", outDirectory: directory + "/out-\(mode)",
            profile: profile, limits: profile.definition.limits)
        options.ks = [1]
        options.workers = 2
        options.pool = mode
        let summary = try GradeRun(options).run()
        guard summary.passed == samples.count else { throw GradeError("bench: stdio \(mode): \(summary.passed) of \(samples.count) accepted") }
        wall[mode] = summary.wallSeconds
        print(
            String(
                format: "stdio %d test cases (+%d syntax checks), %@, 2 workers: %.1f test cases/s, %.2f ms/test case per core, wall %.2f s",
                cases, samples.count, mode.rawValue, Double(cases) / summary.wallSeconds, summary.wallSeconds * 2 * 1000 / Double(cases),
                summary.wallSeconds))
    }
    // The same test cases inside LiveCodeBench's runner (`--judge lcb`: its guard, import block,
    // AST rewrite and patched stdin/stdout on every test case), warm.
    var lcbOptions = GradeOptions(
        problemsPath: directory + "/problems.jsonl", samplesPath: directory + "/samples.jsonl", outDirectory: directory + "/out-lcb",
        profile: profile, limits: profile.definition.limits)
    lcbOptions.ks = [1]
    lcbOptions.workers = 2
    lcbOptions.stdio.judge = .lcb
    let lcbSummary = try GradeRun(lcbOptions).run()
    guard lcbSummary.passed == samples.count else { throw GradeError("bench: stdio lcb: \(lcbSummary.passed) of \(samples.count) accepted") }
    print(
        String(
            format: "stdio %d test cases, warm, --judge lcb, 2 workers: %.1f test cases/s, %.2f ms/test case per core (%.2fx plain warm)",
            cases, Double(cases) / lcbSummary.wallSeconds, lcbSummary.wallSeconds * 2 * 1000 / Double(cases),
            lcbSummary.wallSeconds / wall[.warm]!))
    let warmMs = wall[.warm]! * 2 * 1000 / Double(cases)
    if let humanEvalForkFloorMs {
        print(
            String(
                format: "stdio warm test case / HumanEval fork-per-sample floor (per core): %.2fx (target: within 1.5x)",
                warmMs / humanEvalForkFloorMs))
    }
    print(
        String(
            format: "stdio warm / its own fork-per-test floor (per core): %.2fx    cold / warm: %.2fx",
            warmMs / (floorCPU * 1000 / Double(cases)), wall[.cold]! / wall[.warm]!))
}

/// Cold runs of this tree's runtime and `baseline`'s, interleaved round by round so the machine's
/// drift falls on both: a plain run (run mode: an empty program, and one reading stdin as a
/// stdin/stdout test case does) and a graded function sample (harness mode: candidate, tester,
/// codec), medians per run.
func compareRuntimes(baseline: String) throws {
    let current = try SandboxesDirectory.locate()
    let directory = NSTemporaryDirectory() + "proctor-bench-runtime-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let problems = directory + "/problems.jsonl"
    let samples = directory + "/samples.jsonl"
    let problem: [String: Any] = [
        "task_id": "bench/add", "prompt": "def add(a, b):\n", "entry_point": "add",
        "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n",
    ]
    try (String(decoding: try JSONSerialization.data(withJSONObject: problem), as: UTF8.self) + "\n")
        .write(toFile: problems, atomically: true, encoding: .utf8)
    let sampleCount = 40
    try ((0..<sampleCount).map { _ in #"{"task_id": "bench/add", "completion": "    return a + b\n"}"# }.joined(separator: "\n") + "\n")
        .write(toFile: samples, atomically: true, encoding: .utf8)
    var times: [String: [String: [Double]]] = ["current": [:], "baseline": [:]]
    let stdinProgram = RunRequest(source: "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n", stdin: Array("1 2\n".utf8))
    for round in 0..<12 {
        for (name, tree) in (round % 2 == 0 ? [("current", current), ("baseline", baseline)] : [("baseline", baseline), ("current", current)]) {
            let profile = try SandboxProfile.load(named: "python-strict", sandboxesDirectory: tree)
            let sandbox = try Sandbox(profile: profile)
            for (label, request) in [("empty program", RunRequest(source: "pass\n")), ("stdin program", stdinProgram)] {
                for _ in 0..<25 {
                    var status = ""
                    let ms = milliseconds { status = sandbox.run(request).statusText }
                    guard status == "exited(0)" else { throw GradeError("bench: \(name) \(label) ended \(status)") }
                    times[name]![label, default: []].append(ms)
                }
            }
            var options = GradeOptions(
                problemsPath: problems, samplesPath: samples, outDirectory: directory + "/out-\(name)-\(round)", profile: profile,
                limits: profile.definition.limits)
            options.workers = 1
            options.pool = .cold
            let summary = try GradeRun(options).run()
            guard summary.passed == sampleCount else { throw GradeError("bench: \(name) passed \(summary.passed) of \(sampleCount)") }
            times[name]!["graded function sample", default: []].append(summary.wallSeconds * 1000 / Double(sampleCount))
        }
    }
    print("cold per-run cost, this tree's runtime vs \(baseline), 12 interleaved rounds (medians)")
    for label in ["empty program", "stdin program", "graded function sample"] {
        let now = RunResults.median(times["current"]![label]!)!
        let before = RunResults.median(times["baseline"]![label]!)!
        print(String(format: "  %@  before %.2f ms  now %.2f ms  (%+.2f ms)", label.padding(toLength: 24, withPad: " ", startingAt: 0), before, now, now - before))
    }
}

/// The analysis layer at scale: `proctor report` on 100,000 rows and on 100 runs × 1,000 tasks,
/// `proctor irt` on 24 × 164 and on 89 × 164 × 10 samples.
func analysis() throws {
    let directory = NSTemporaryDirectory() + "proctor-bench-report-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var generator = SplitMix64(seed: 7)
    var out = Data()
    for index in 0..<100_000 {
        let task = index / 100
        let passed = generator.next() % 100 < UInt64(task % 100)
        let row: [String: Any] = [
            "task_id": "Bench/\(task)", "completion_id": "\(index % 100)", "completion": "    return sorted(set(values))[:k]\n",
            "passed": passed, "status": (passed ? SampleStatus.passed : .failed).rawValue, "result": passed ? ResultText.passed : ResultText.failed("AssertionError"),
            "tests_calls": 3, "error": passed ? NSNull() : ["type": "AssertionError", "message": "", "line": 4, "file": "tests", "source": "assert candidate([1, 2]) == [1]"],
            "sandbox_status": "exited(0)", "exit_code": 0, "signal": NSNull(), "blocked_syscall": NSNull(),
            "wall_ms": 3 + Double(generator.next() % 5000) / 1000, "cpu_ms": 2 + Double(generator.next() % 3000) / 1000,
            "peak_rss_kib": 11000 + Int(generator.next() % 2000), "stdout_tail": "", "stderr_tail": "", "stdout_bytes": 0, "stderr_bytes": 0,
            "audit": [
                "key": String(repeating: "a", count: 64), "problem_sha256": String(repeating: "b", count: 64), "sample_sha256": String(repeating: "c", count: 64),
                "program_sha256": String(repeating: "d", count: 64), "profile": "python-strict", "profile_sha256": String(repeating: "e", count: 64),
                "limits": ["cpu_s": 3, "wall_ms": 3000, "memory_bytes": 268_435_456, "output_limit_bytes": 1_048_576, "processes": 64, "file_size_bytes": 16_777_216],
                "proctor_version": "0.1.0", "pool": "warm", "python_version": "3.11.2", "kernel": "6.1.0", "isolation": "uid=60001 seccomp landlock=6 ns=user,pid,net,mount,ipc,uts caps-dropped",
                "timestamp": "2026-11-29T12:00:00.000Z", "samples_line": index + 1,
            ],
        ]
        out.append(try JSONSerialization.data(withJSONObject: row))
        out.append(UInt8(ascii: "\n"))
    }
    try out.write(to: URL(fileURLWithPath: directory + "/samples.jsonl"))
    var html = ""
    var run: RunResults?
    let reading = milliseconds { run = try? RunResults.load(directory) } / 1000
    let rendering = milliseconds { if let run { html = HTMLReport.render(Report([run])) } } / 1000
    guard run?.samples == 100_000 else { throw AnalysisError("bench: the 100,000 rows did not read back") }
    print(
        String(
            format: "report: 100,000 rows (%.0f MB) read and rendered in %.2f s (read %.2f s, render %.2f s); HTML %.0f KB",
            Double(out.count) / 1e6, reading + rendering, reading, rendering, Double(html.utf8.count) / 1000))
    var counts: [[(n: Int, c: Int)?]] = []
    for run in 0..<24 {
        counts.append((0..<164).map { task in (5, Int(generator.next() % 6) * (run + task) % 6 % 6) })
    }
    let responses = ItemResponseModel.Responses(runs: (0..<24).map { "m\($0)" }, tasks: (0..<164).map { "T/\($0)" }, counts: counts)
    var model: ItemResponseModel?
    let fit = milliseconds { model = ItemResponseModel.fit(responses) } / 1000
    print(String(format: "irt: 24 runs × 164 tasks fitted in %.2f s (%d EM steps per start, 3 starts)", fit, model?.iterations ?? 0))
    // A leaderboard's size, several samples per task: 89 runs × 164 tasks × 10 samples from a 2PL.
    func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
    let discrimination = (0..<164).map { _ in 0.5 + 2 * uniform() }
    let difficulty = (0..<164).map { _ in 4 * uniform() - 2 }
    let large = (0..<89).map { run in
        let theta = -2.5 + 5 * Double(run) / 88
        return (0..<164).map { task -> (n: Int, c: Int)? in
            let p = 1 / (1 + exp(-discrimination[task] * (theta - difficulty[task])))
            return (10, (0..<10).filter { _ in uniform() < p }.count)
        }
    }
    let leaderboard = ItemResponseModel.Responses(runs: (0..<89).map { "m\($0)" }, tasks: (0..<164).map { "T/\($0)" }, counts: large)
    let largeFit = milliseconds { model = ItemResponseModel.fit(leaderboard) } / 1000
    print(
        String(
            format: "irt: 89 runs × 164 tasks × 10 samples fitted in %.2f s (%d EM steps, gap %.1e, starts %.1e apart)", largeFit,
            model?.iterations ?? 0, model?.gap ?? .nan, model?.startSpread ?? .nan))
    try leaderboardReport(directory: directory, generator: &generator)
}

/// The report at its bound: 100 runs × 1,000 tasks, one sample each, read, ranked, every pair
/// compared (4,950 paired bootstraps) and rendered.
func leaderboardReport(directory: String, generator: inout SplitMix64) throws {
    var runs: [String] = []
    for run in 0..<100 {
        let path = directory + "/run-\(run)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var out = ""
        for task in 0..<1000 {
            let passed = Int(generator.next() % 1000) < (run * 7 + task) % 1000
            out += #"{"task_id": "Bench/\#(task)", "completion_id": "0", "passed": \#(passed), "status": "\#(passed ? "passed" : "failed")", "#
            out += #""wall_ms": \#(5 + Int(generator.next() % 400)), "cpu_ms": \#(2 + Int(generator.next() % 200)), "peak_rss_kib": 12000"#
            out += passed ? "}\n" : #", "error": {"type": "AssertionError", "message": "assert f([1, 2, 3]) == [3, 2, 1]"}}"# + "\n"
        }
        try out.write(toFile: path + "/samples.jsonl", atomically: true, encoding: .utf8)
        runs.append(path)
    }
    var results: [RunResults] = []
    let reading = milliseconds { results = runs.compactMap { try? RunResults.load($0) } } / 1000
    guard results.count == 100 else { throw AnalysisError("bench: the 100 runs did not read back") }
    var report: Report?
    let building = milliseconds { report = Report(results) } / 1000
    var html = ""
    let rendering = milliseconds { html = HTMLReport.render(report!) } / 1000
    print(
        String(
            format: "report: 100 runs × 1,000 tasks read in %.2f s, ranked and every pair compared in %.2f s, rendered in %.2f s; HTML %.1f MB",
            reading, building, rendering, Double(html.utf8.count) / 1e6))
}

/// Per language: the compile step cold (a fresh source each time) and cached, and what one test
/// case costs (a cold run of the program on one input), beside Python's own cold test case.
func languages(directory: String) throws {
    let registry = try LanguageRegistry(sandboxesDirectory: directory)
    let programs: [String: String] = [
        "c": "#include <stdio.h>\nint main(void){long long a,b; if(scanf(\"%lld %lld\",&a,&b)!=2) return 1; printf(\"%lld\\n\",a+b); return 0;}\n",
        "cpp": "#include <bits/stdc++.h>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<\"\\n\";}\n",
        "go": "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tvar a, b int64\n\tfmt.Scan(&a, &b)\n\tfmt.Println(a + b)\n}\n",
        "rust": "use std::io::Read;\nfn main() {\n    let mut s = String::new();\n    std::io::stdin().read_to_string(&mut s).unwrap();\n    let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect();\n    println!(\"{}\", v[0] + v[1]);\n}\n",
        "java": "import java.util.*;\npublic class Main { public static void main(String[] a) { Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); } }\n",
        "javascript": "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(BigInt);\nconsole.log((a + b).toString());\n",
    ]
    let input = Array("1000000000 1000000000\n".utf8)
    let strict = try SandboxProfile.load(named: "python-strict", sandboxesDirectory: directory)
    let pythonSandbox = try Sandbox(profile: strict)
    let pythonRun = RunRequest(source: "a, b = map(int, input().split())\nprint(a + b)\n", stdin: input)
    let pythonMs = RunResults.median((0..<20).map { _ in milliseconds { _ = pythonSandbox.run(pythonRun) } })!
    print(String(format: "languages: one stdin test case, cold: python %.1f ms", pythonMs))
    for name in ["c", "cpp", "go", "rust", "java", "javascript"] {
        let runtime: LanguageRuntime
        do {
            runtime = try registry.runtime(named: name)
        } catch {
            print("  \(name): skipped (\(error))")
            continue
        }
        if runtime.definition.compile?.warmup != nil {
            var size: Int?
            let warmUp = milliseconds { size = runtime.warmUp() }
            print(String(format: "  %@: warm build cache made once per grader in %.0f ms (%.1f MiB)", name as NSString, warmUp, Double(size ?? 0) / 1_048_576))
        }
        let source = programs[name]!
        var cold: [Double] = []
        var program: [UInt8] = []
        var fresh = source
        for round in 0..<3 {
            // A comment makes each source new to the cache: a cold compile every round.
            fresh = source + "// round \(round) \(UInt64.random(in: 0...UInt64.max))\n"
            let started = Date()
            guard case .program(let bytes, _, _) = runtime.compile(fresh, cache: registry.cache) else {
                print("  \(name): the bench program did not compile")
                break
            }
            cold.append(Date().timeIntervalSince(started) * 1000)
            program = bytes
        }
        guard !program.isEmpty else { continue }
        let cached = milliseconds { _ = runtime.compile(fresh, cache: registry.cache) }
        let limits = runtime.definition.compiles ? try SandboxProfile.load(named: runtime.definition.run.profile, sandboxesDirectory: directory).definition.limits : strict.definition.limits
        var failures = 0
        let runs = (0..<20).map { _ in
            milliseconds { if runtime.run(program, stdin: input, limits: limits).stdout != "2000000000\n" { failures += 1 } }
        }
        print(
            String(
                format: "  %@: compile cold %.0f ms (median of 3), cached %.2f ms; a test case %.1f ms (%.1fx python)%@", name as NSString,
                RunResults.median(cold)!, cached, RunResults.median(runs)!, RunResults.median(runs)! / pythonMs,
                failures > 0 ? " — \(failures) runs gave the wrong answer" as NSString : "" as NSString))
    }
}
