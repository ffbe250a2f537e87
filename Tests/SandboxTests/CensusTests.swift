import Foundation
import Sandbox
import Testing

/// The runtimes' census (`Sandboxes/seccomp/census`, `scripts/seccomp-census`): a tier with a
/// census narrows the policy's allow rules to what its runtime was recorded calling plus the
/// hand-kept core, so a syscall no runtime needs gets the default ENOSYS in a real run; what
/// the core keeps (a thread's exit, the process CPU clock, sleeping) still works; and a census
/// never unblocks the dangerous set.
@Suite(.serialized) struct CensusTests {
    static let gcc = "/usr/bin/gcc"

    /// A static C program reporting, one per line, what each call returned (errno when it failed).
    static let probe = """
        #define _GNU_SOURCE
        #include <errno.h>
        #include <pthread.h>
        #include <stdio.h>
        #include <sys/syscall.h>
        #include <time.h>
        #include <unistd.h>
        static void *work(void *arg) { return arg; }
        static void report(const char *name, long rc) { printf("%s %ld\\n", name, rc < 0 ? -(long)errno : 0L); }
        int main(void) {
            report("timerfd_create", syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0));
            int pipes[2];
            report("pipe2", syscall(SYS_pipe2, pipes, 0));
            report("tee", syscall(SYS_tee, pipes[0], pipes[1], 1, 0));
            report("rename", syscall(SYS_rename, "absent", "elsewhere"));
            struct timespec cpu;
            report("clock_gettime", syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &cpu));
            struct timespec nap = {0, 1000000};
            report("nanosleep", syscall(SYS_nanosleep, &nap, NULL));
            pthread_t thread;
            report("thread", pthread_create(&thread, NULL, work, NULL) == 0 && pthread_join(thread, NULL) == 0 ? 0 : -1);
            fflush(stdout);
            return 0;
        }
        """

    static func compile() throws -> [UInt8] {
        let directory = Checkout.workBase + "/census-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try probe.write(toFile: directory + "/probe.c", atomically: true, encoding: .utf8)
        let gcc = Process()
        gcc.executableURL = URL(fileURLWithPath: Self.gcc)
        gcc.arguments = ["-O1", "-static", "-pthread", "-o", directory + "/probe", directory + "/probe.c"]
        try gcc.run()
        gcc.waitUntilExit()
        #expect(gcc.terminationStatus == 0)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/probe")))
    }

    static func results(_ sandboxes: String, _ program: [UInt8]) throws -> [String: Int] {
        let sandbox = try Sandbox(profile: SandboxProfile.load(named: "native", sandboxesDirectory: sandboxes), workBase: Checkout.workBase)
        var request = RunRequest(program: program, programName: "main", limits: sandbox.profile.definition.limits)
        request.executable = true
        let outcome = sandbox.run(request)
        #expect(outcome.runStatus == .exited(0), "\(outcome.statusText) \(outcome.stderr)")
        var results: [String: Int] = [:]
        for line in outcome.stdout.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count == 2, let value = Int(words[1]) { results[String(words[0])] = value }
        }
        return results
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/gcc"), "needs Debian's gcc (make setup installs it)"))
    func aCensusTakesAwayWhatNoRuntimeCallsAndKeepsTheCore() throws {
        let program = try Self.compile()
        let narrowed = try Self.results(Checkout.sandboxes, program)
        let enosys = -Int(ENOSYS)
        for name in ["timerfd_create", "tee", "rename"] {
            #expect(narrowed[name] == enosys, "\(name): \(narrowed[name].map(String.init) ?? "no line")")
        }
        for name in ["pipe2", "clock_gettime", "nanosleep", "thread"] {
            #expect(narrowed[name] == 0, "\(name): \(narrowed[name].map(String.init) ?? "no line")")
        }

        // The same tier without its census: the policy's own allow rules apply again.
        let whole = Checkout.workBase + "/census-sandboxes-\(getpid())"
        try? FileManager.default.removeItem(atPath: whole)
        try FileManager.default.copyItem(atPath: Checkout.sandboxes, toPath: whole)
        let policyPath = whole + "/seccomp/cpython.json"
        var policy = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: policyPath))) as! [String: Any]
        var tiers = policy["tiers"] as! [String: Any]
        var native = tiers["native"] as! [String: Any]
        native.removeValue(forKey: "census")
        tiers["native"] = native
        policy["tiers"] = tiers
        try JSONSerialization.data(withJSONObject: policy).write(to: URL(fileURLWithPath: policyPath))
        let broad = try Self.results(whole, program)
        #expect((broad["timerfd_create"] ?? -1) >= 0 && broad["tee"] != enosys && broad["rename"] == -Int(ENOENT), "\(broad)")
    }

    /// A census naming a dangerous call does not unblock it: only allow rules are narrowed.
    @Test func aCensusNeverUnblocksTheDangerousSet() throws {
        let shipped = try SandboxProfile.load(named: "native", sandboxesDirectory: Checkout.sandboxes)
        var policy = shipped.policy
        var native = try #require(policy.tiers["native"])
        native.censusSyscalls = (native.censusSyscalls ?? []) + ["unshare", "ptrace", "mount"]
        policy.tiers["native"] = native
        let blocked = Set(policy.rules.filter { $0.action != "allow" }.flatMap(\.syscalls))
        #expect(blocked.isSuperset(of: ["unshare", "ptrace", "mount"]))
        _ = try SeccompProgram.compile(policy: policy, tier: "native", cacheKey: "census-test-\(UInt64.random(in: 0...UInt64.max))")
        // Every tier that names a census loads it, and the census files name only real syscalls
        // (an unknown name would fail the compile above).
        for tier in ["native", "jvm", "node"] {
            #expect((shipped.policy.tiers[tier]?.censusSyscalls?.count ?? 0) > 50, "\(tier)")
        }
    }
}
