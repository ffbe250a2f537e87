// proctor-bench: what isolation costs per run, measured with real processes (`make bench`).
//
// Compares the median wall time of `python3 -I -S -c pass` started bare (posix_spawn + wait)
// with the same command run through the sandbox (every layer on), and with the full
// python-strict profile (bootstrap, stacked filter) running an empty program.
import Foundation
import Sandbox

#if canImport(Glibc)
    import Glibc
#endif

let runs = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 200
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
    let directory = try SandboxesDirectory.locate()
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
    let full = (0..<runs).map { _ in
        milliseconds { if strictSandbox.run(empty).statusText != "exited(0)" { failures += 1 } }
    }
    _ = summary("python-strict profile, empty program", full)
    print(String(format: "sandbox overhead per run (median): %.2f ms (%.2fx bare)", sandboxMedian - bareMedian, sandboxMedian / bareMedian))
    if failures > 0 {
        print("proctor-bench: \(failures) runs did not exit cleanly")
        exit(1)
    }
} catch {
    print("proctor-bench: \(error)")
    exit(1)
}
