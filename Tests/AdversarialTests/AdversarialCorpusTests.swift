import Foundation
import Grader
import Results
import Sandbox
import SchemaCheck
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The adversarial corpus, in warm-pool and cold mode, graded three times at once so runs race, with the host checked
/// before and after: every sample gets its recorded status, none passes, the controls graded
/// alongside still pass, and nothing of any run outlives it or lands outside its workdir.
@Suite(.serialized)
struct AdversarialCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let corpus = root + "/Fixtures/adversarial"
    static let base = "/tmp/proctor-adversarial-tests"
    static let sharedDirectories = ["/tmp", "/dev/shm", "/var/tmp"]

    struct Expectation {
        var completionID: String
        var attack: String
        var status: String
    }

    static func expectations() throws -> [Expectation] {
        try String(contentsOfFile: corpus + "/expected.jsonl", encoding: .utf8).split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return Expectation(
                completionID: object["completion_id"] as! String, attack: object["attack"] as! String, status: object["status"] as! String)
        }
    }

    static func entries(_ directory: String) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
    }

    static func slotProcesses() -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            var info = stat()
            return stat("/proc/\(pid)", &info) == 0 && info.st_uid >= 61000 && info.st_uid < 61000 + 256
        }
    }

    @Test(arguments: PoolMode.allCases)
    func corpusIsContainedWhenGradedThreeTimesInParallel(_ mode: PoolMode) throws {
        let expectations = try Self.expectations()
        #expect(expectations.count >= 40)
        try? FileManager.default.removeItem(atPath: Self.base)
        try FileManager.default.createDirectory(atPath: Self.base, withIntermediateDirectories: true)

        // Host state before: a canary file, the shared directories, a bystander process.
        let canary = "/tmp/proctor-canary-\(getpid())"
        let canaryText = "canary \(UInt64.random(in: 0...UInt64.max))"
        try canaryText.write(toFile: canary, atomically: true, encoding: .utf8)
        defer { unlink(canary) }
        var canaryBefore = stat()
        stat(canary, &canaryBefore)
        let before = Dictionary(uniqueKeysWithValues: Self.sharedDirectories.map { ($0, Self.entries($0)) })
        let bystander = Process()
        bystander.executableURL = URL(fileURLWithPath: "/bin/sleep")
        bystander.arguments = ["120"]
        bystander.standardOutput = FileHandle.nullDevice
        bystander.standardError = FileHandle.nullDevice
        try bystander.run()
        defer {
            // SIGKILL by pid: a process started from a test thread inherits its blocked SIGTERM.
            kill(bystander.processIdentifier, SIGKILL)
            bystander.waitUntilExit()
        }

        // Adversarial samples first, then correct controls, in one samples file per run.
        let samples = Self.base + "/samples.jsonl"
        let adversarial = try String(contentsOfFile: Self.corpus + "/samples.jsonl", encoding: .utf8)
        let controls = try String(contentsOfFile: Self.corpus + "/controls.jsonl", encoding: .utf8)
        try (adversarial + controls).write(toFile: samples, atomically: true, encoding: .utf8)
        let controlCount = controls.split(separator: "\n").count

        let profile = try SandboxProfile.load(named: "python-strict", sandboxesDirectory: Self.root + "/Sandboxes")
        // The profile's own limits: six runs share two cores here, and a memory bomb's 256 MiB of
        // page faults can take seconds of wall time under that load.
        let limits = profile.definition.limits
        let runs = 3
        let results = Mutex<[Int: Result<GradeSummary, GradeError>]>([:])
        let threads = (0..<runs).map { index in
            Thread {
                var options = GradeOptions(
                    problemsPath: Self.corpus + "/problems.jsonl", samplesPath: samples, outDirectory: Self.base + "/run-\(index)",
                    profile: profile, limits: limits)
                options.ks = [1]
                options.workers = 2
                options.pool = mode
                let result = Result { () throws(GradeError) in try GradeRun(options).run() }
                results.withLock { $0[index] = result }
            }
        }
        threads.forEach { $0.start() }
        while results.withLock({ $0.count }) < runs { Thread.sleep(forTimeInterval: 0.1) }

        for index in 0..<runs {
            let summary = try results.withLock { $0[index]! }.get()
            SchemaCheck.expectConforming(Self.base + "/run-\(index)")
            #expect(summary.passed == controlCount, "\(mode) run \(index): only the controls may pass")
            let rows = try String(contentsOfFile: Self.base + "/run-\(index)/samples.jsonl", encoding: .utf8).split(separator: "\n")
                .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            #expect(rows.count == expectations.count + controlCount)
            for (row, expected) in zip(rows, expectations) {
                #expect(row["completion_id"] as? String == expected.completionID)
                #expect(row["passed"] as? Bool == false, "run \(index): '\(expected.attack)' passed")
                #expect(
                    row["status"] as? String == expected.status,
                    "\(mode) run \(index): '\(expected.attack)' got \(row["status"] ?? "?") (\(row["result"] ?? "")), expected \(expected.status)"
                )
            }
            for row in rows.suffix(controlCount) {
                #expect(row["status"] as? String == "passed", "run \(index): a correct control sample did not pass")
            }
        }

        // Host state after.
        #expect(Self.slotProcesses().isEmpty, "processes of the runs outlived them")
        #expect(bystander.isRunning, "a process outside the runs was killed")
        var canaryAfter = stat()
        stat(canary, &canaryAfter)
        #expect(try String(contentsOfFile: canary, encoding: .utf8) == canaryText)
        #expect(canaryAfter.st_mtim.tv_sec == canaryBefore.st_mtim.tv_sec && canaryAfter.st_mtim.tv_nsec == canaryBefore.st_mtim.tv_nsec)
        for directory in Self.sharedDirectories {
            let appeared = Self.entries(directory).subtracting(before[directory] ?? [])
                .filter { $0.hasPrefix("proctor") && !["proctor-runs", "proctor-slots", "proctor-adversarial-tests"].contains($0) }
            #expect(appeared.isEmpty, "files left in \(directory): \(appeared.sorted())")
        }
        let leftovers = Self.entries(Sandbox.defaultWorkBase).filter { $0.hasPrefix("run-\(getpid())-") }
        #expect(leftovers.isEmpty, "workdirs left behind: \(leftovers.sorted())")
        for path in ["/usr/bin/python3.11", "/usr/lib/python3.11/os.py"] {
            var info = stat()
            stat(path, &info)
            #expect(info.st_mtim.tv_sec < Int(Date().timeIntervalSince1970) - 60, "\(path) was modified")
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #expect(usage.ru_maxrss < 512 * 1024, "grader peak RSS \(usage.ru_maxrss) KiB")
    }
}
