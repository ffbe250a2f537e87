import ArgumentParser
import Sandbox

/// `--cgroup PATH`: exact memory and process accounting by cgroup v2 for hosts that delegate a
/// subtree to the grader (off by default; see ``CgroupDelegation``).
struct CgroupFlag: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A cgroup v2 directory delegated to the grader (systemd's Delegate=yes): each cold run gets a cgroup of its own under it, with memory.max and pids.max at the run's limits. Off by default; nothing outside PATH is ever touched.",
            valueName: "path"))
    var cgroup: String?

    /// Checks PATH and makes it every sandbox's of this process.
    func apply() throws {
        guard let cgroup else { return }
        do {
            Sandbox.defaultCgroup = try CgroupDelegation(path: cgroup)
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
    }
}
