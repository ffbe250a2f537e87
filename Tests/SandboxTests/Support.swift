import Foundation
import Sandbox

#if canImport(Glibc)
    import Glibc
#endif

/// Paths and helpers shared by the sandbox suites: the checkout's own Sandboxes/ and
/// Fixtures/run/, real profiles, real processes.
enum Checkout {
    static let root: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let sandboxes = root + "/Sandboxes"
    static let fixtures = root + "/Fixtures/run"

    static func fixture(_ name: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: "\(fixtures)/\(name)") else {
            fatalError("missing fixture \(name)")
        }
        return [UInt8](data)
    }

    /// A sandbox for `profile` whose workdirs live in a directory of this test process.
    static func sandbox(_ profile: String = "python-strict", workBase: String = Checkout.workBase) throws -> Sandbox {
        try Sandbox(profile: SandboxProfile.load(named: profile, sandboxesDirectory: sandboxes), workBase: workBase)
    }

    static let workBase = "/tmp/proctor-tests"

    /// Runs fixture `name` under `profile` with the profile's limits, adjusted by `adjust`.
    static func run(
        _ name: String, profile: String = "python-strict", arguments: [String] = [],
        adjust: (inout ResourceLimits) -> Void = { _ in }
    ) throws -> Outcome {
        let sandbox = try sandbox(profile)
        var limits = sandbox.profile.definition.limits
        adjust(&limits)
        return sandbox.run(RunRequest(program: fixture(name), programName: name, arguments: arguments, limits: limits))
    }

    static var isRoot: Bool { geteuid() == 0 }

    /// Pids of live processes owned by `uid` (read from /proc).
    static func processes(ownedBy uid: UInt32) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            var info = stat()
            return stat("/proc/\(pid)", &info) == 0 && info.st_uid == uid
        }
    }

    /// Our own peak RSS in KiB.
    static func graderPeakRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss
    }

    /// Parses the program's stdout as a JSON object.
    static func json(_ outcome: Outcome) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8))
        return object as? [String: Any] ?? [:]
    }
}
