import CSandboxSpawn
import CSeccomp
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A seccomp policy compiled to classic BPF, ready to be attached in a child.
///
/// libseccomp allocates while it builds the program, so compiling is the parent's job, done
/// once per (policy, tier) and cached; the child only hands the finished instructions to the
/// kernel (`seccomp(SECCOMP_SET_MODE_FILTER)`), which is async-signal-safe.
public struct SeccompProgram: Sendable, Hashable {
    /// Raw `struct sock_filter` instructions, 8 bytes each.
    public let bytes: [UInt8]

    public var instructionCount: Int { bytes.count / 8 }

    private static let cache = Mutex<[String: SeccompProgram]>([:])

    /// Compiles the filter installed before exec: the policy's rules plus the tier's.
    public static func compile(policy: SeccompPolicy, tier: String, cacheKey: String) throws(SandboxError) -> SeccompProgram {
        if let cached = cache.withLock({ $0[cacheKey] }) { return cached }
        let tierRules = try policy.resolvedTier(tier)
        guard let defaultErrno = SeccompConstants.errnos[policy.defaultErrno] else {
            throw SandboxError(.invalidProfile, "seccomp policy: unknown defaultErrno '\(policy.defaultErrno)'")
        }
        let replaced = Set(tierRules.replaces ?? [])
        let census = tierRules.censusSyscalls.map { Set($0) }
        let base = policy.rules.compactMap { rule -> SeccompRule? in
            var kept = rule
            kept.syscalls.removeAll { replaced.contains($0) }
            if let census, kept.action == "allow" { kept.syscalls.removeAll { !census.contains($0) } }
            return kept.syscalls.isEmpty ? nil : kept
        }
        let program = try build(defaultAction: csec_act_errno(UInt16(defaultErrno)), rules: base + tierRules.rules)
        cache.withLock { $0[cacheKey] = program }
        return program
    }

    /// Compiles the tier's `afterStart` filter (default allow), or nil when the tier has none.
    public static func compileAfterStart(policy: SeccompPolicy, tier: String) throws(SandboxError) -> SeccompProgram? {
        guard policy.tiers[tier] != nil, let rules = try policy.resolvedTier(tier).afterStart, !rules.isEmpty else { return nil }
        return try build(defaultAction: csec_act_allow(), rules: rules)
    }

    private static func build(defaultAction: UInt32, rules: [SeccompRule]) throws(SandboxError) -> SeccompProgram {
        guard let context = seccomp_init(defaultAction) else {
            throw SandboxError(.seccompCompile, "seccomp_init failed")
        }
        defer { seccomp_release(context) }
        // Anything that is not native x86_64 (i386 via int 0x80, x32) kills the process.
        try check(seccomp_attr_set(context, SCMP_FLTATR_ACT_BADARCH, csec_act_kill_process()), "set bad-arch action")
        // The child sets no_new_privs itself, before Landlock, so the exported program needs no flag.
        try check(seccomp_attr_set(context, SCMP_FLTATR_CTL_NNP, 0), "clear NNP attribute")

        for rule in rules {
            let action = try action(for: rule.action)
            let comparisons = try (rule.when ?? []).map { condition throws(SandboxError) in try comparison(condition) }
            for name in rule.syscalls {
                let number = seccomp_syscall_resolve_name(name)
                guard number != __NR_SCMP_ERROR else {
                    throw SandboxError(.invalidProfile, "seccomp policy: unknown syscall '\(name)'")
                }
                let rc = comparisons.withUnsafeBufferPointer { buffer in
                    seccomp_rule_add_array(context, action, number, UInt32(buffer.count), buffer.baseAddress)
                }
                try check(rc, "rule \(rule.action) for \(name)")
            }
        }

        let memfd = csec_memfd()
        guard memfd >= 0 else { throw SandboxError(.seccompCompile, "memfd_create", errno: Glibc.errno) }
        defer { Syscall.close(memfd) }
        try check(seccomp_export_bpf(context, memfd), "export BPF")
        let size = lseek(memfd, 0, SEEK_END)
        lseek(memfd, 0, SEEK_SET)
        var bytes = [UInt8](repeating: 0, count: Int(size))
        var offset = 0
        while offset < bytes.count {
            let got = bytes.withUnsafeMutableBytes { pread(memfd, $0.baseAddress! + offset, $0.count - offset, off_t(offset)) }
            guard got > 0 else { throw SandboxError(.seccompCompile, "reading exported BPF", errno: Glibc.errno) }
            offset += got
        }
        guard bytes.count % 8 == 0, bytes.count / 8 <= 4096 else {
            throw SandboxError(.seccompCompile, "exported BPF has an impossible size (\(bytes.count) bytes)")
        }
        return SeccompProgram(bytes: bytes)
    }

    private static func action(for text: String) throws(SandboxError) -> UInt32 {
        switch text {
        case "allow": return csec_act_allow()
        // The supervisor receives a user notification, names the syscall and kills the run.
        case "blocked": return csec_act_notify()
        case "kill": return csec_act_kill_process()
        default:
            if text.hasPrefix("errno:"), let code = SeccompConstants.errnos[String(text.dropFirst(6))] {
                return csec_act_errno(UInt16(code))
            }
            throw SandboxError(.invalidProfile, "seccomp policy: unknown action '\(text)' (allow, blocked, kill, errno:NAME)")
        }
    }

    private static func comparison(_ condition: SeccompCondition) throws(SandboxError) -> scmp_arg_cmp {
        let value = try resolve(condition.value)
        switch condition.op {
        case "eq": return scmp_arg_cmp(arg: condition.arg, op: SCMP_CMP_EQ, datum_a: value, datum_b: 0)
        case "ne": return scmp_arg_cmp(arg: condition.arg, op: SCMP_CMP_NE, datum_a: value, datum_b: 0)
        case "maskedEq":
            guard let mask = condition.mask else {
                throw SandboxError(.invalidProfile, "seccomp policy: maskedEq on arg \(condition.arg) needs a mask")
            }
            return scmp_arg_cmp(arg: condition.arg, op: SCMP_CMP_MASKED_EQ, datum_a: try resolve(mask), datum_b: value)
        default:
            throw SandboxError(.invalidProfile, "seccomp policy: unknown comparison '\(condition.op)' (eq, ne, maskedEq)")
        }
    }

    private static func resolve(_ value: SymbolicValue) throws(SandboxError) -> UInt64 {
        switch SeccompConstants.resolve(value.text) {
        case .success(let number): return number
        case .failure(let unknown): throw SandboxError(.invalidProfile, "seccomp policy: unknown constant '\(unknown.name)'")
        }
    }

    private static func check(_ rc: Int32, _ what: String) throws(SandboxError) {
        if rc != 0 { throw SandboxError(.seccompCompile, "libseccomp: \(what)", errno: -rc) }
    }

    /// The name of syscall `number` on audit architecture `arch`, e.g. "unshare".
    public static func syscallName(number: Int32, arch: UInt32) -> String {
        guard let pointer = seccomp_syscall_resolve_num_arch(arch, number) else { return "syscall \(number)" }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
