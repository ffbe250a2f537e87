import Foundation
import Queue
import QueueTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `proctor submit | worker | status | results` end to end: real worker processes, real
/// sandboxes, a real PostgreSQL (started by `make test`) and the SQLite default.
@Suite(.serialized)
struct WorkerCommandTests {
    static let benchmark = ProctorExecutable.root + "/Fixtures/benchmark"

    /// A worker process with its output in a log file (a pipe nobody reads would block it).
    final class WorkerProcess {
        let process = Process()
        let log: String

        init(_ location: String, _ extra: [String], environment: [String: String] = [:]) throws {
            log = NSTemporaryDirectory() + "proctor-worker-\(UInt32.random(in: 0...UInt32.max)).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: ProctorExecutable.path)
            process.arguments = ["worker", "--queue", location, "--concurrency", "1"] + extra
            process.currentDirectoryURL = URL(fileURLWithPath: ProctorExecutable.root)
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let handle = FileHandle(forWritingAtPath: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        /// Waits for the worker to exit; nil if it is still running after `seconds`.
        func wait(seconds: Double) -> Int32? {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { return nil }
            return process.terminationStatus
        }

        /// Signals the worker by pid (never by name). SIGKILL reaches it whatever its signal mask.
        func signal(_ number: Int32) { kill(process.processIdentifier, number) }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(atPath: log)
        }
    }

    /// A task whose samples sleep `seconds` and then answer correctly: slow enough to stop a
    /// worker in the middle of a batch.
    static func slowRun(samples count: Int, seconds: Double) throws -> (problems: String, samples: String) {
        let directory = NSTemporaryDirectory() + "proctor-worker-tests-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let problem =
            #"{"task_id": "Slow/0", "prompt": "def f(x):\n", "entry_point": "f", "test": "def check(candidate):\n    assert candidate(1) == 2\n"}"#
        try (problem + "\n").write(toFile: directory + "/problems.jsonl", atomically: true, encoding: .utf8)
        let line = #"{"task_id": "Slow/0", "completion": "    import time\n    time.sleep(SECONDS)\n    return x + 1\n"}"#
            .replacingOccurrences(of: "SECONDS", with: "\(seconds)")
        try (Array(repeating: line, count: count).joined(separator: "\n") + "\n")
            .write(toFile: directory + "/samples.jsonl", atomically: true, encoding: .utf8)
        return (directory + "/problems.jsonl", directory + "/samples.jsonl")
    }

    static func submit(_ location: String, run: String, problems: String, samples: String) throws {
        let submitted = try ProctorExecutable.run([
            "submit", "--queue", location, "--run", run, "--problems", problems, "--samples", samples, "--k", "1",
        ])
        try #require(submitted.status == 0, "submit failed: \(submitted.stderr)")
    }

    static func status(_ location: String, run: String) throws -> [String: Int] {
        let queue = try QueueLocation(location).open()
        defer { queue.close() }
        return try queue.status(run: run).counts
    }

    /// Polls until `predicate` holds on the run's counts (or `seconds` pass).
    static func waitFor(_ location: String, run: String, seconds: Double, _ predicate: ([String: Int]) -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if predicate(try status(location, run: run)) { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    /// `proctor results` into a fresh directory; returns the rows.
    static func results(_ location: String, run: String) throws -> (rows: [[String: Any]], failed: [[String: Any]], status: Int32) {
        let out = NSTemporaryDirectory() + "proctor-results-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let invocation = try ProctorExecutable.run(["results", "--queue", location, "--run", run, "--out", out, "--quiet"])
        func lines(_ path: String) -> [[String: Any]] {
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        return (lines(out + "/samples.jsonl"), lines(out + "/failed.jsonl"), invocation.status)
    }

    /// The objects of a JSON Lines file (a fixture's expected verdicts).
    static func jsonLines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    static func identifiers(_ rows: [[String: Any]]) -> [String] {
        rows.map { "\($0["task_id"] as? String ?? "?")#\($0["completion_id"] as? String ?? "?")" }
    }

    @Test(arguments: Backend.allCases)
    func twoWorkersDrainARunAndEverySampleHasOneResult(_ backend: Backend) throws {
        try #require(ProctorExecutable.isBuilt)
        let location = try backend.freshLocation()
        try Self.submit(location, run: "bench", problems: Self.benchmark + "/problems.jsonl", samples: Self.benchmark + "/samples.jsonl")
        let port = 20000 + Int.random(in: 0..<20000)
        let first = try WorkerProcess(location, ["--metrics", "127.0.0.1:\(port)"])
        let second = try WorkerProcess(location, ["--exit-when-idle", "2"])
        #expect(try Self.waitFor(location, run: "bench", seconds: 90) { $0["done"] == 36 })
        #expect(second.wait(seconds: 30) == 0, "\(second.output)")

        // The long-running worker serves its metrics, then stops cleanly on SIGTERM.
        let metrics = try ProctorExecutable.runTool("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(port)/metrics"])
        #expect(metrics.contains("proctor_jobs_done_total"))
        #expect(metrics.contains("proctor_samples_total{status=\"passed\"}"))
        #expect(metrics.contains("proctor_sample_seconds_bucket"))
        // Read at the scrape, so it agrees with `status`: nothing is pending any more.
        #expect(metrics.contains("proctor_queue_pending_jobs 0"), "\(metrics)")
        first.signal(SIGTERM)
        #expect(first.wait(seconds: 20) == 0, "\(first.output)")

        let (rows, failed, status) = try Self.results(location, run: "bench")
        #expect(status == 0)
        #expect(failed.isEmpty)
        #expect(rows.count == 36)
        #expect(Set(Self.identifiers(rows)).count == 36)
        let expected = try Self.jsonLines(Self.benchmark + "/expected.jsonl")
        for (row, want) in zip(rows, expected) {
            #expect(row["task_id"] as? String == want["task_id"] as? String)
            #expect(row["status"] as? String == want["status"] as? String, "\(want["task_id"]!)#\(want["completion_id"]!)")
        }
    }

    @Test(arguments: Backend.allCases)
    func aKilledWorkersJobsAreReclaimedAfterTheLeaseAndGradedOnce(_ backend: Backend) throws {
        try #require(ProctorExecutable.isBuilt)
        let location = try backend.freshLocation()
        let (problems, samples) = try Self.slowRun(samples: 16, seconds: 0.3)
        try Self.submit(location, run: "slow", problems: problems, samples: samples)
        let doomed = try WorkerProcess(location, ["--batch", "8", "--lease", "3"])
        #expect(try Self.waitFor(location, run: "slow", seconds: 30) { ($0["done"] ?? 0) >= 2 })
        doomed.signal(SIGKILL)
        _ = doomed.wait(seconds: 10)
        let held = try Self.status(location, run: "slow")["running"] ?? 0
        #expect(held > 0, "the killed worker held claimed jobs")
        // Idle for 1 s is shorter than the dead worker's lease: the rescuer must wait for the lease to end.
        let rescuer = try WorkerProcess(location, ["--batch", "4", "--lease", "3", "--exit-when-idle", "1"])
        #expect(rescuer.wait(seconds: 60) == 0, "\(rescuer.output)")
        #expect(try Self.status(location, run: "slow") == ["pending": 0, "running": 0, "done": 16, "failed": 0])
        let (rows, _, _) = try Self.results(location, run: "slow")
        #expect(rows.count == 16)
        #expect(Set(Self.identifiers(rows)).count == 16)
        #expect(rows.allSatisfy { $0["passed"] as? Bool == true })
    }

    @Test(arguments: Backend.allCases)
    func sigtermFinishesTheSampleInHandAndGivesTheRestBack(_ backend: Backend) throws {
        try #require(ProctorExecutable.isBuilt)
        let location = try backend.freshLocation()
        let (problems, samples) = try Self.slowRun(samples: 12, seconds: 0.3)
        try Self.submit(location, run: "slow", problems: problems, samples: samples)
        let worker = try WorkerProcess(location, ["--batch", "12"])
        #expect(try Self.waitFor(location, run: "slow", seconds: 30) { ($0["done"] ?? 0) >= 2 })
        worker.signal(SIGTERM)
        #expect(worker.wait(seconds: 15) == 0, "\(worker.output)")
        #expect(worker.output.contains("released"))
        let after = try Self.status(location, run: "slow")
        #expect(after["running"] == 0)
        #expect((after["pending"] ?? 0) > 0 && (after["done"] ?? 0) + (after["pending"] ?? 0) == 12)
        let next = try WorkerProcess(location, ["--exit-when-idle", "1"])
        #expect(next.wait(seconds: 60) == 0, "\(next.output)")
        let (rows, _, status) = try Self.results(location, run: "slow")
        #expect(status == 0)
        #expect(rows.count == 12 && Set(Self.identifiers(rows)).count == 12)
    }

    @Test func workersRideOutADatabaseRestart() throws {
        try #require(ProctorExecutable.isBuilt)
        let location = try Backend.postgres.freshLocation()
        let (problems, samples) = try Self.slowRun(samples: 20, seconds: 0.25)
        try Self.submit(location, run: "slow", problems: problems, samples: samples)
        let worker = try WorkerProcess(location, ["--batch", "4", "--lease", "20", "--exit-when-idle", "3"])
        #expect(try Self.waitFor(location, run: "slow", seconds: 30) { ($0["done"] ?? 0) >= 3 })
        try Backend.restartPostgres(downSeconds: 2)
        #expect((try Self.status(location, run: "slow")["done"] ?? 0) < 20, "the restart happened mid-run")
        #expect(worker.wait(seconds: 90) == 0, "\(worker.output)")
        #expect(try Self.status(location, run: "slow") == ["pending": 0, "running": 0, "done": 20, "failed": 0])
        let (rows, _, _) = try Self.results(location, run: "slow")
        #expect(rows.count == 20 && Set(Self.identifiers(rows)).count == 20)
    }

    @Test func readersOfAQueueThatDoesNotExistSaySoAndCreateNothing() throws {
        try #require(ProctorExecutable.isBuilt)
        let path = NSTemporaryDirectory() + "proctor-no-queue-\(UInt32.random(in: 0...UInt32.max)).sqlite"
        for arguments in [["status"], ["results", "--run", "r", "--out", NSTemporaryDirectory() + "proctor-no-results"]] {
            let invocation = try ProctorExecutable.run(arguments + ["--queue", "sqlite:" + path])
            #expect(invocation.status == 64, "\(arguments[0]): \(invocation.stderr)")
            #expect(invocation.stderr.contains(path) && invocation.stderr.contains("no queue here"), "\(invocation.stderr)")
            #expect(!FileManager.default.fileExists(atPath: path), "proctor \(arguments[0]) created \(path)")
        }
    }

    @Test func aRunsPythonEnvironmentReachesItsWorkers() throws {
        try #require(ProctorExecutable.isBuilt)
        let base = NSTemporaryDirectory() + "proctor-venv-queue-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        _ = try ProctorExecutable.runTool("/usr/bin/python3", ["-m", "venv", "--without-pip", base + "/env"])
        let lib = try #require(try FileManager.default.contentsOfDirectory(atPath: base + "/env/lib").first)
        try "def triple(x):\n    return 3 * x\n".write(
            toFile: base + "/env/lib/\(lib)/site-packages/proctor_env_probe.py", atomically: true, encoding: .utf8)
        try #"{"task_id": "Env/0", "prompt": "import proctor_env_probe\n\n\ndef f(x):\n", "entry_point": "f", "test": "def check(candidate):\n    assert candidate(2) == 6\n"}"#
            .appending("\n").write(toFile: base + "/problems.jsonl", atomically: true, encoding: .utf8)
        try #"{"task_id": "Env/0", "completion": "    return proctor_env_probe.triple(x)\n"}"#.appending("\n").write(
            toFile: base + "/samples.jsonl", atomically: true, encoding: .utf8)
        let location = try Backend.sqlite.freshLocation()
        let submitted = try ProctorExecutable.run([
            "submit", "--queue", location, "--run", "env", "--problems", base + "/problems.jsonl", "--samples", base + "/samples.jsonl",
            "--k", "1", "--python-env", base + "/env",
        ])
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let worker = try WorkerProcess(location, ["--exit-when-idle", "1"])
        #expect(worker.wait(seconds: 60) == 0, "\(worker.output)")
        let (rows, _, _) = try Self.results(location, run: "env")
        #expect(rows.first?["passed"] as? Bool == true, "\(rows)")
    }

    @Test func aWorkerNeverCreatesAQueueAndTakesDurationsWithUnits() throws {
        try #require(ProctorExecutable.isBuilt)
        let path = NSTemporaryDirectory() + "proctor-no-queue-\(UInt32.random(in: 0...UInt32.max)).sqlite"
        let worker = try ProctorExecutable.run(["worker", "--queue", "sqlite:" + path, "--exit-when-idle", "1s", "--lease", "60s"])
        #expect(worker.status != 0)
        #expect(worker.stderr.contains(path), "\(worker.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path), "the worker created a queue")
        let bad = try ProctorExecutable.run(["worker", "--queue", "sqlite:" + path, "--lease", "soon"])
        #expect(bad.status == 64 && bad.stderr.contains("--lease"), "\(bad.stderr)")
    }

    @Test func permanentPostgresErrorsFailAtOnceWithOneLine() throws {
        try #require(ProctorExecutable.isBuilt)
        let host = try #require(ProcessInfo.processInfo.environment["PROCTOR_TEST_POSTGRES_HOST"], "needs make test's PostgreSQL")
        for (location, says) in [
            ("postgres://proctor@/no_such_database?host=\(host)", "database no_such_database does not exist"),
            ("postgres://nobody@/postgres?host=\(host)", "refused user nobody"),
        ] {
            let started = Date()
            let status = try ProctorExecutable.run(["status", "--queue", location])
            #expect(Date().timeIntervalSince(started) < 5, "\(location): took \(Date().timeIntervalSince(started)) s")
            #expect(status.status == 64, "\(location): \(status.status) \(status.stderr)")
            #expect(status.stderr.contains(says), "\(status.stderr)")
            #expect(status.stderr.split(separator: "\n").count == 1, "\(status.stderr)")
        }
    }

    @Test(arguments: Backend.allCases)
    func aRunIsItsSettingsAndContentsNotThePathsOfItsFiles(_ backend: Backend) throws {
        try #require(ProctorExecutable.isBuilt)
        let location = try backend.freshLocation()
        let (problems, samples) = try Self.slowRun(samples: 2, seconds: 0)
        try Self.submit(location, run: "same", problems: problems, samples: samples)
        // The same samples by another spelling of the path, and as an identical copy elsewhere.
        let copy = NSTemporaryDirectory() + "proctor-copy-\(UInt32.random(in: 0...UInt32.max)).jsonl"
        try FileManager.default.copyItem(atPath: samples, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        for path in [(samples as NSString).deletingLastPathComponent + "/./" + (samples as NSString).lastPathComponent, copy] {
            let again = try ProctorExecutable.run([
                "submit", "--queue", location, "--run", "same", "--problems", problems, "--samples", path, "--k", "1",
            ])
            #expect(again.status == 0, "\(backend) \(path): \(again.stderr)")
            #expect(again.stdout.contains("0 job(s) submitted, 2 already present"), "\(again.stdout)")
        }
        // Other settings are refused, with the same clean message on both backends.
        let other = try ProctorExecutable.run([
            "submit", "--queue", location, "--run", "same", "--problems", problems, "--samples", samples, "--k", "1", "--timeout", "7s",
        ])
        #expect(other.status == 64, "\(backend): \(other.status) \(other.stderr)")
        #expect(other.stderr.contains("run same already exists with other settings"), "\(backend): \(other.stderr)")
        #expect(!other.stderr.contains("PostgresTransactionError") && other.stderr.split(separator: "\n").count == 1, "\(other.stderr)")
    }

    @Test(arguments: Backend.allCases)
    func malformedJobsAreFailedWithAReasonAndTheWorkerGoesOn(_ backend: Backend) throws {
        try #require(ProctorExecutable.isBuilt)
        let location = try backend.freshLocation()
        let (problems, samples) = try Self.slowRun(samples: 2, seconds: 0)
        try Self.submit(location, run: "mixed", problems: problems, samples: samples)
        let queue = try QueueLocation(location).open()
        defer { queue.close() }
        let config = try #require(try queue.runConfig("mixed"))
        let problemSHA = try #require(try queue.claim(worker: "peek", limit: 1, leaseSeconds: 60, maxAttempts: 3).first)
        try queue.release(jobs: [problemSHA.id], worker: "peek")
        let bad = [
            NewJob(
                index: 2, taskID: "Slow/0", completionID: "bad-json", contentSHA256: "x1", problemSHA256: problemSHA.problemSHA256,
                payload: "{not json"),
            NewJob(
                index: 3, taskID: "Slow/0", completionID: "wrong-task", contentSHA256: "x2", problemSHA256: problemSHA.problemSHA256,
                payload: #"{"task_id": "Other/1", "completion": "    return 2\n"}"#),
            NewJob(
                index: 4, taskID: "Slow/0", completionID: "no-problem", contentSHA256: "x3", problemSHA256: "0000",
                payload: #"{"task_id": "Slow/0", "completion": "    return 2\n"}"#),
        ]
        _ = try queue.submit(run: "mixed", config: config, problems: [:], jobs: bad)
        let worker = try WorkerProcess(location, ["--exit-when-idle", "1"])
        #expect(worker.wait(seconds: 60) == 0, "\(worker.output)")
        #expect(try Self.status(location, run: "mixed") == ["pending": 0, "running": 0, "done": 2, "failed": 3])
        let (rows, failed, _) = try Self.results(location, run: "mixed")
        #expect(rows.count == 2)
        let reasons = Dictionary(uniqueKeysWithValues: failed.map { ($0["completion_id"] as? String ?? "", $0["reason"] as? String ?? "") })
        #expect(reasons["bad-json"]?.contains("malformed job payload") == true)
        #expect(reasons["wrong-task"]?.contains("task_id Other/1") == true)
        #expect(reasons["no-problem"]?.contains("not in the queue") == true)
        // Failed jobs count as failures in pass@k: breaking a sample's job never raises the score.
        for (flags, expectedFailed) in [([String](), 3), (["--exclude-failed"], nil)] {
            let out = NSTemporaryDirectory() + "proctor-results-\(UInt32.random(in: 0...UInt32.max))"
            defer { try? FileManager.default.removeItem(atPath: out) }
            let invocation = try ProctorExecutable.run(
                ["results", "--queue", location, "--run", "mixed", "--out", out, "--quiet"] + flags)
            let data = try #require(FileManager.default.contents(atPath: out + "/summary.json"))
            let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let counts = summary["status_counts"] as? [String: Int] ?? [:]
            #expect(counts["job_failed"] == expectedFailed, "\(summary)")
            #expect(invocation.stderr.contains("WARNING") == !flags.isEmpty, "\(invocation.stderr)")
        }
    }

    @Test(arguments: Backend.allCases)
    func databaseCredentialsNeverReachASample(_ backend: Backend) throws {
        try #require(ProctorExecutable.isBuilt)
        var location = try backend.freshLocation()
        if backend == .postgres { location = location.replacingOccurrences(of: "proctor@", with: "proctor:url-s3cret@") }
        let directory = NSTemporaryDirectory() + "proctor-worker-tests-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let problem =
            #"{"task_id": "Env/0", "prompt": "def f(x):\n", "entry_point": "f", "test": "def check(candidate):\n    assert candidate(1) == 2\n"}"#
        try (problem + "\n").write(toFile: directory + "/problems.jsonl", atomically: true, encoding: .utf8)
        let probe = """
            {"task_id": "Env/0", "completion": "    import os\\n    print('ENV', sorted(os.environ.items()))\\n    fds = []\\n    for fd in range(64):\\n        try:\\n            os.fstat(fd)\\n            fds.append(fd)\\n        except OSError:\\n            pass\\n    print('FDS', fds)\\n    return x + 1\\n"}
            """
        try (probe + "\n").write(toFile: directory + "/samples.jsonl", atomically: true, encoding: .utf8)
        try Self.submit(location, run: "env", problems: directory + "/problems.jsonl", samples: directory + "/samples.jsonl")
        let worker = try WorkerProcess(
            location, ["--exit-when-idle", "1"], environment: ["PGPASSWORD": "env-s3cret", "DATABASE_URL": location])
        #expect(worker.wait(seconds: 60) == 0, "\(worker.output)")
        let (rows, _, _) = try Self.results(location, run: "env")
        let row = try #require(rows.first)
        let stdout = row["stdout_tail"] as? String ?? ""
        #expect(stdout.contains("ENV"), "the probe ran")
        #expect(!stdout.contains("s3cret"))
        #expect(!stdout.contains("PGPASSWORD") && !stdout.contains("DATABASE_URL"))
        // stdin, stdout, stderr and the two pipes to the tests; nothing of the worker's.
        #expect(stdout.contains("FDS [0, 1, 2, 3, 4]"), "\(stdout)")
        #expect(row["passed"] as? Bool == true)
    }

    @Test func repositoryTasksGoThroughTheQueueToo() throws {
        try #require(ProctorExecutable.isBuilt)
        let location = try Backend.sqlite.freshLocation()
        let base = NSTemporaryDirectory() + "proctor-repo-queue-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        _ = try ProctorExecutable.runTool(ProctorExecutable.root + "/scripts/build-fixture-repo", [base + "/repos"])
        let fixtures = ProctorExecutable.root + "/Fixtures/repos"
        let submitted = try ProctorExecutable.run([
            "submit", "--queue", location, "--run", "repo", "--instances", fixtures + "/instances.jsonl", "--predictions",
            fixtures + "/predictions.jsonl", "--repos", base + "/repos", "--timeout", "6s",
        ])
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let worker = try WorkerProcess(location, ["--concurrency", "2", "--batch", "2", "--exit-when-idle", "1"])
        #expect(worker.wait(seconds: 120) == 0, "\(worker.output)")
        let (rows, failed, status) = try Self.results(location, run: "repo")
        #expect(status == 0 && failed.isEmpty)
        let expected = try Self.jsonLines(fixtures + "/expected.jsonl")
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            #expect(row["instance_id"] as? String == want["instance_id"] as? String)
            #expect(row["resolution"] as? String == want["resolved"] as? String, "\(want["instance_id"]!)")
        }
        // The hostile predictions were refused or contained on the worker too: nothing ran on the host.
        #expect(!FileManager.default.fileExists(atPath: "/tmp/proctor-canary-fsmonitor"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/proctor-canary-ed"))
        #expect(!(try String(contentsOfFile: base + "/repos/mathkit/.git/config", encoding: .utf8)).contains("fsmonitor"))
    }

    @Test(.enabled(if: geteuid() == 0, "in-place overlays need a mount namespace"))
    func sweRunsGoThroughTheQueueWithTheSubmittedSpecs() throws {
        try #require(ProctorExecutable.isBuilt)
        let location = try Backend.sqlite.freshLocation()
        let base = NSTemporaryDirectory() + "proctor-swe-queue-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        _ = try ProctorExecutable.runTool(ProctorExecutable.root + "/scripts/build-swe-fixtures", [base + "/repos"])
        let fixtures = ProctorExecutable.root + "/Fixtures/swe"
        let submitted = try ProctorExecutable.run([
            "submit", "--queue", location, "--run", "swe", "--instances", fixtures + "/instances.jsonl", "--predictions", "gold",
            "--repos", base + "/repos", "--specs", fixtures + "/specs.json", "--timeout", "120s",
        ])
        try #require(submitted.status == 0, "\(submitted.stderr)")
        // The specs travel with the run; the layers are this worker's own.
        let worker = try WorkerProcess(
            location, ["--concurrency", "2", "--exit-when-idle", "1", "--env-cache", base + "/cache", "--python", "3.11=/usr/bin/python3"])
        #expect(worker.wait(seconds: 300) == 0, "\(worker.output)")
        let (rows, failed, status) = try Self.results(location, run: "swe")
        #expect(status == 0 && failed.isEmpty)
        #expect(rows.count == 3)
        for row in rows {
            #expect(row["resolution"] as? String == "FULL", "\(row)")
            #expect((row["log_parser"] as? String).map { ["pytest", "django", "sympy"].contains($0) } == true)
        }
        #expect(FileManager.default.fileExists(atPath: base + "/cache/envs"))
    }

    @Test func stdioProblemsGoThroughTheQueue() throws {
        try #require(ProctorExecutable.isBuilt)
        let location = try Backend.sqlite.freshLocation()
        let fixtures = ProctorExecutable.root + "/Fixtures/stdio"
        let submitted = try ProctorExecutable.run([
            "submit", "--queue", location, "--run", "stdio", "--problems", fixtures + "/problems.jsonl", "--samples",
            fixtures + "/samples.jsonl", "--k", "1",
        ])
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let worker = try WorkerProcess(location, ["--concurrency", "2", "--exit-when-idle", "1"])
        #expect(worker.wait(seconds: 300) == 0, "\(worker.output)")
        let (rows, failed, status) = try Self.results(location, run: "stdio")
        #expect(status == 0 && failed.isEmpty)
        let expected = try Self.jsonLines(fixtures + "/expected.jsonl")
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            #expect(row["status"] as? String == want["status"] as? String, "\(want["note"]!)")
        }
    }

    /// Sealed problems through the queue: stored sealed (the database file holds no hidden test
    /// or input), workers open them with their key, rows come back redacted; without the key a
    /// worker fails the jobs instead of grading them. Inputs problems' seed travels with the run.
    @Test func sealedAndInputsProblemsGoThroughTheQueue() throws {
        try #require(ProctorExecutable.isBuilt)
        let fixtures = ProctorExecutable.root + "/Fixtures/sealed"
        let key = fixtures + "/fixture.key"
        let location = try Backend.sqlite.freshLocation()
        let noKey = try ProctorExecutable.run([
            "submit", "--queue", location, "--run", "sealed", "--problems", fixtures + "/problems.sealed.jsonl", "--samples",
            fixtures + "/samples.jsonl", "--k", "1",
        ])
        #expect(noKey.status == 64 && noKey.stderr.contains("--key-file"), "\(noKey.stderr)")
        let submitted = try ProctorExecutable.run([
            "submit", "--queue", location, "--run", "sealed", "--problems", fixtures + "/problems.sealed.jsonl", "--samples",
            fixtures + "/samples.jsonl", "--k", "1", "--key-file", key, "--seed", "5",
        ])
        try #require(submitted.status == 0, "\(submitted.stderr)")
        #expect(submitted.stdout.contains("seed 5"))
        // At rest: the queue's file holds the sealed lines only.
        let database = String(decoding: try Data(contentsOf: URL(fileURLWithPath: String(location.dropFirst("sqlite:".count)))), as: UTF8.self)
        for literal in ["marmosetcascade", "24681357902", "MARMOSETCASCADE"] {
            #expect(!database.contains(literal), "\(literal) is in the queue's database")
        }
        // A worker without the key fails those jobs (they are not gradable here), never passes them.
        let keyless = try WorkerProcess(location, ["--exit-when-idle", "1", "--reference-cache", "none"])
        #expect(keyless.wait(seconds: 120) == 0, "\(keyless.output)")
        let (_, failedWithoutKey, _) = try Self.results(location, run: "sealed")
        #expect(failedWithoutKey.count == 12, "\(failedWithoutKey)")

        let again = try Backend.sqlite.freshLocation()
        let resubmitted = try ProctorExecutable.run([
            "submit", "--queue", again, "--run", "sealed", "--problems", fixtures + "/problems.sealed.jsonl", "--samples",
            fixtures + "/samples.jsonl", "--k", "1", "--key-file", key,
        ])
        try #require(resubmitted.status == 0, "\(resubmitted.stderr)")
        let worker = try WorkerProcess(
            again, ["--concurrency", "2", "--exit-when-idle", "1", "--reference-cache", "none"],
            environment: ["PROCTOR_SEAL_KEY": try String(contentsOfFile: key, encoding: .utf8).trimmingCharacters(in: .newlines)])
        #expect(worker.wait(seconds: 300) == 0, "\(worker.output)")
        let (rows, failed, status) = try Self.results(again, run: "sealed")
        #expect(status == 0 && failed.isEmpty, "\(failed)")
        let expected = try Self.jsonLines(fixtures + "/expected.jsonl")
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            if (want["task_id"] as! String).hasPrefix("sealed/") {
                // Only passed or failed crosses (HiddenRecord); nothing of the run.
                let status = want["status"] as? String == "passed" ? "passed" : "failed"
                #expect(row["status"] as? String == status, "\(want["completion_id"]!)")
                #expect(row["hidden"] as? Bool == true && row["stdout_tail"] == nil && row["wall_ms"] == nil)
            } else {
                #expect(row["status"] as? String == want["status"] as? String, "\(want["completion_id"]!)")
            }
        }
    }
}
