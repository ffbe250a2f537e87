import ArgumentParser
import Foundation
import Grader
import Queue
import Repository
import Results
import Worker

/// `proctor results`: a run's results from the queue, written like `proctor grade` writes them.
public struct ResultsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "Write a run's samples.jsonl and summary.json from the queue; print pass@k.",
        discussion: """
            OUT/samples.jsonl holds one row per graded sample in submission order, the same rows \
            `proctor grade` writes; OUT/summary.json the same summary. Jobs that failed (malformed, \
            or infrastructure retries exhausted) are listed in OUT/failed.jsonl with their reason \
            and count as failures in pass@k (status job_failed): a sample must not raise a \
            benchmark's score by breaking its own job. --exclude-failed leaves them out instead, \
            with a warning. Exit status 75 when some jobs are still pending or running.
            """
    )

    @OptionGroup var queue: QueueOptions

    @Option(name: .customLong("run"), help: "Run id given to `proctor submit`.")
    var runID: String

    @Option(help: "Output directory.")
    var out: String = "results"

    @Flag(help: "No table, only the files.")
    var quiet = false

    @Flag(help: "Leave failed jobs out of pass@k (by default they count as failures). Prints a warning.")
    var excludeFailed = false

    public init() {}

    public func run() throws {
        let store = try queue.open(creating: false)
        defer { store.close() }
        guard let config = try queueCall({ () throws(QueueError) in try store.runConfig(runID) }) else {
            throw CLIFailure.usage("proctor: run \(runID) is not on \(try queue.location())")
        }
        guard let settings = try? RunSettings.parse(config) else { throw CLIFailure.usage("proctor: run \(runID) has unreadable settings") }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let path = out + "/samples.jsonl"
        let temporary = path + ".tmp"
        _ = FileManager.default.createFile(atPath: temporary, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: temporary) else { throw CLIFailure.usage("proctor: \(temporary): cannot write") }
        var accumulator = SummaryAccumulator()
        var repositoryReports: [RepoGradeRun.InstanceReport] = []
        let failed = try queueCall { () throws(QueueError) -> [FailedJob] in
            try store.results(run: runID) { record in
                handle.write(Data(record.result.row + [UInt8(ascii: "\n")]))
                if settings.kind == "repo",
                    let report = try? JSONDecoder().decode(RepoGradeRun.InstanceReport.self, from: Data(record.result.row))
                {
                    repositoryReports.append(report)
                }
                // Inputs problems: the base score is in the row (only such rows carry the field);
                // a hidden row was stored with no time or memory (`HiddenRecord`).
                let row = try? RowDecoder.decode(SampleRecord.self, from: record.result.row)
                let basePassed = row?.basePassed
                let hidden = row?.hidden ?? false
                let measured = !hidden && (row?.wallMs != nil || settings.kind == "repo")
                // Jobs stored by workers before the one vocabulary: a repository's FULL/PARTIAL/NO.
                let word = record.result.status
                let status =
                    SampleStatus(row: word)
                    ?? SampleStatus(resolution: word, error: !["FULL", "PARTIAL", "NO", "empty_patch"].contains(word))
                accumulator.add(
                    task: record.result.taskID, status: status, passed: record.result.passed,
                    wallMs: record.result.wallMs, cpuMs: record.result.cpuMs, rssKiB: record.result.peakRssKiB, reused: false,
                    basePassed: basePassed, hidden: hidden, measured: measured)
            }
        }
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, path) == 0 else { throw CLIFailure.usage("proctor: \(path): rename failed") }
        let status = try queueCall { () throws(QueueError) in try store.status(run: runID) }
        let unfinished = status.count(.pending) + status.count(.running)
        let failedPath = out + "/failed.jsonl"
        if failed.isEmpty {
            try? FileManager.default.removeItem(atPath: failedPath)
        } else {
            let lines = failed.map {
                JSONValue.object([
                    "task_id": .string($0.taskID), "completion_id": .string($0.completionID), "reason": .string($0.reason),
                ]).compactText
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: failedPath, atomically: true, encoding: .utf8)
        }
        if excludeFailed && !failed.isEmpty {
            FileHandle.standardError.write(
                Data(
                    "proctor: WARNING: \(failed.count) failed job(s) left out of pass@k (--exclude-failed); the score is over the samples that were graded only\n"
                        .utf8))
        } else {
            for job in failed { accumulator.addFailedJob(task: job.taskID) }
        }
        let base = GradeSummary.empty(
            problems: settings.problems, samples: settings.samples, profile: settings.profile,
            profileSHA256: settings.profileSHA256, workers: 0, proctorVersion: ProctorVersion.string, interrupted: unfinished > 0)
        var summary = accumulator.summary(ks: settings.ks, base: base)
        if let differential = settings.differential { summary.seed = String(differential.seed) }
        do {
            try JSONReport.write(summary, to: out + "/summary.json")
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
        if settings.kind == "repo" {
            // Repository tasks also get SWE-bench's report, as `proctor grade-repo` writes it.
            let swe = RepoGradeRun.summarize(repositoryReports, totalInstances: repositoryReports.count + failed.count)
            do {
                try JSONReport.write(swe, to: out + "/report.json")
            } catch {
                throw CLIFailure.usage("proctor: \(error)")
            }
            if !quiet {
                print("resolved \(swe.resolvedInstances) FULL, \(swe.partialInstances) PARTIAL of \(swe.submittedInstances) submitted")
            }
        }
        if !quiet {
            // Repository runs are read by SWE-bench's numbers above; pass@k over instances and
            // per-sample CPU and memory say nothing there.
            if settings.kind != "repo" { print(summary.table) }
            if !failed.isEmpty { print("failed jobs: \(failed.count) (see \(failedPath))") }
            print("results: \(path), \(out)/summary.json")
        }
        if unfinished > 0 {
            FileHandle.standardError.write(Data("proctor: run \(runID) still has \(unfinished) job(s) pending or running\n".utf8))
            throw ExitCode(75)
        }
    }
}
