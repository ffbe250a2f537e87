import CSandboxSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Exact accounting with cgroup v2, opt-in (`--cgroup PATH`) for hosts that delegate a subtree to
/// the grader (systemd's `Delegate=yes`, or a directory chowned to the grader's user).
///
/// Without it the grader adds up a run's memory itself (``MemoryWatch``: PSS, scratch tmpfs,
/// queued pipe and socket bytes, polled). With it every cold run gets a cgroup of its own under
/// PATH, joined by the run's first process before anything else runs (``SpawnContext``), with
/// `memory.max` at the run's memory limit (the kernel then charges everything: page cache,
/// tmpfs, socket and pipe buffers, kernel stacks), no swap, and `pids.max` at the run's process
/// limit. The run's status comes from the cgroup's own `memory.events` (`oom_kill`) and its peak
/// from `memory.peak`, beside the watch's. The cgroup is removed with the run.
///
/// Proctor never creates, moves or deletes anything outside PATH, and refuses a PATH that is not
/// a cgroup v2 directory it may write; the machine's hierarchy is the host's otherwise.
public struct CgroupDelegation: Sendable {
    public let path: String

    /// The magic number of cgroup2's filesystem (statfs `f_type`).
    static let cgroup2Magic: Int = 0x6367_7270

    /// Checks that `path` is a delegated cgroup v2 directory with the memory and pids controllers
    /// available to its children, enabling them there if needed.
    public init(path: String) throws(SandboxError) {
        let type = csandbox_filesystem_type(path)
        guard type >= 0 else {
            throw SandboxError(.invalidArgument, "--cgroup \(path): cannot stat it (errno \(errno)); give a delegated cgroup v2 directory")
        }
        guard Int(type) == Self.cgroup2Magic else {
            throw SandboxError(
                .invalidArgument,
                "--cgroup \(path): not a cgroup v2 directory (this host's cgroups may be v1 or hybrid); give a subtree delegated to the grader"
            )
        }
        guard access(path + "/cgroup.type", F_OK) == 0 else {
            throw SandboxError(
                .invalidArgument,
                "--cgroup \(path): the root of a cgroup hierarchy is the host's, never the grader's; give a subtree delegated to it")
        }
        guard access(path + "/cgroup.procs", W_OK) == 0, access(path, W_OK) == 0 else {
            throw SandboxError(.invalidArgument, "--cgroup \(path): not writable by the grader (is it delegated to this user?)")
        }
        let available = (try? String(contentsOfFile: path + "/cgroup.controllers", encoding: .utf8)) ?? ""
        for controller in ["memory", "pids"]
        where !available.split(separator: " ").contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines) == controller }) {
            throw SandboxError(.invalidArgument, "--cgroup \(path): the \(controller) controller is not delegated to it")
        }
        let enabled = (try? String(contentsOfFile: path + "/cgroup.subtree_control", encoding: .utf8)) ?? ""
        if !(enabled.contains("memory") && enabled.contains("pids")) {
            guard Self.write("+memory +pids", to: path + "/cgroup.subtree_control") else {
                throw SandboxError(
                    .invalidArgument,
                    "--cgroup \(path): cannot enable memory and pids for its children (errno \(errno); a cgroup with processes of its own cannot: delegate an empty one)"
                )
            }
        }
        self.path = path
    }

    /// A cgroup of one run's own under the delegated directory.
    final class Scope {
        let path: String
        /// `cgroup.procs`, open for the child to join (closed by ``close()``).
        private(set) var procs: Int32

        init(under parent: String, limits: AppliedLimits) throws(SandboxError) {
            path = parent + "/proctor-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            guard mkdir(path, 0o755) == 0 else { throw SandboxError(.systemCall, "mkdir \(path)", errno: errno) }
            procs = -1
            let settings = [
                ("memory.max", "\(limits.memoryBytes)"), ("memory.swap.max", "0"), ("pids.max", "\(limits.processes)"),
            ]
            for (file, value) in settings where file != "memory.swap.max" || access(path + "/" + file, F_OK) == 0 {
                guard CgroupDelegation.write(value, to: path + "/" + file) else {
                    let code = errno
                    remove()
                    throw SandboxError(.systemCall, "write \(path)/\(file)", errno: code)
                }
            }
            procs = Glibc.open(path + "/cgroup.procs", O_WRONLY | O_CLOEXEC)
            if procs < 0 {
                let code = errno
                remove()
                throw SandboxError(.systemCall, "open \(path)/cgroup.procs", errno: code)
            }
        }

        func close() {
            if procs >= 0 { Glibc.close(procs) }
            procs = -1
        }

        /// The kernel stopped a process of the run for its memory (`memory.events` oom_kill).
        var oomKilled: Bool { counter("memory.events", "oom_kill") > 0 }

        /// The run's peak charged memory (`memory.peak`, Linux 5.19+; 0 without).
        var peakBytes: UInt64 {
            UInt64(
                (try? String(contentsOfFile: path + "/memory.peak", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            )
                ?? 0
        }

        private func counter(_ file: String, _ name: String) -> UInt64 {
            let text = (try? String(contentsOfFile: path + "/" + file, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ")
                if fields.count == 2, fields[0] == name { return UInt64(fields[1]) ?? 0 }
            }
            return 0
        }

        /// Ends whatever is left in the cgroup and removes it.
        func remove() {
            close()
            _ = CgroupDelegation.write("1", to: path + "/cgroup.kill")
            for _ in 0..<100 {
                if rmdir(path) == 0 || errno == ENOENT { return }
                usleep(10_000)
            }
        }
    }

    func scope(limits: AppliedLimits) throws(SandboxError) -> Scope { try Scope(under: path, limits: limits) }

    static func write(_ text: String, to file: String) -> Bool {
        let fd = Glibc.open(file, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        let bytes = Array(text.utf8)
        return Glibc.write(fd, bytes, bytes.count) == bytes.count
    }
}
