/// A seccomp policy as data, decoded from `Sandboxes/seccomp/*.json`.
///
/// The policy is a list of rules plus named tiers that add rules for one kind of task (a
/// single-process tier, a tier that may start processes). Anything no rule matches gets
/// `defaultErrno` (ENOSYS: unknown calls look "not implemented" and libc falls back).
public struct SeccompPolicy: Codable, Sendable, Hashable {
    public var description: String?
    /// errno name returned for every syscall no rule mentions.
    public var defaultErrno: String
    public var rules: [SeccompRule]
    public var tiers: [String: SeccompTier]
}

/// Rules one tier adds on top of the policy's own.
public struct SeccompTier: Codable, Sendable, Hashable {
    public var description: String?
    /// Rules of the filter installed before exec.
    public var rules: [SeccompRule]
    /// Rules of a second, stricter filter that the in-process bootstrap stacks once the
    /// interpreter has started (filters only ever tighten), e.g. "no more execve".
    public var afterStart: [SeccompRule]?
    /// Syscalls whose rules in the policy's own list this tier replaces with its own (the
    /// loopback tier's sockets): libseccomp gives no order among overlapping rules, so a tier
    /// that decides a syscall differently takes it over whole.
    public var replaces: [String]?
    /// A tier whose `rules` and `afterStart` come first, this tier's own added after them (the
    /// warm pool's `strict-pool` is `strict` plus what its zygote needs), so a change to the
    /// named tier reaches this one too.
    public var extends: String?
    /// Census files (paths under the sandboxes directory, `seccomp/census/*.json`): what a
    /// runtime was recorded calling (`scripts/seccomp-census`), and `core.json`, what any
    /// program may need whether or not the recorded runs did (a thread's `exit`, `sched_yield`,
    /// `rt_sigreturn`, the clocks). The policy's own allow rules are narrowed to their union, so
    /// whatever no runtime of the tier calls gets the default errno. The tier's own rules and
    /// every other action (the dangerous set, errno rules) stay whole: a census never unblocks
    /// anything, it only takes allowances away.
    public var census: [String]?
    /// The census files' syscalls, filled in when the profile is loaded.
    public var censusSyscalls: [String]?
}

/// The syscalls a runtime really calls, and how they were recorded.
public struct SeccompCensus: Codable, Sendable, Hashable {
    public var recorded: String
    public var syscalls: [String]
}

extension SeccompPolicy {
    /// `name`'s tier with the tiers it extends folded in: their rules and afterStart rules first.
    func resolvedTier(_ name: String) throws(SandboxError) -> SeccompTier {
        var seen: Set<String> = []
        var current = name
        var chain: [SeccompTier] = []
        while true {
            guard let tier = tiers[current] else {
                throw SandboxError(
                    .invalidProfile, "seccomp policy has no tier '\(current)' (tiers: \(tiers.keys.sorted().joined(separator: ", ")))")
            }
            guard seen.insert(current).inserted else {
                throw SandboxError(.invalidProfile, "seccomp policy: tier '\(name)' extends itself")
            }
            chain.insert(tier, at: 0)
            guard let parent = tier.extends else { break }
            current = parent
        }
        var resolved = chain.last!
        resolved.rules = chain.flatMap(\.rules)
        let afterStart = chain.flatMap { $0.afterStart ?? [] }
        resolved.afterStart = afterStart.isEmpty ? nil : afterStart
        resolved.replaces = Array(Set(chain.flatMap { $0.replaces ?? [] })).sorted()
        return resolved
    }
}

/// What happens to the listed syscalls when the conditions hold.
public struct SeccompRule: Codable, Sendable, Hashable {
    /// `allow`, `errno:NAME`, or `blocked` (the run is stopped and the syscall reported by name).
    public var action: String
    public var syscalls: [String]
    /// All must hold (libseccomp ANDs the comparisons of one rule).
    public var when: [SeccompCondition]?
    public var why: String?
}

/// One comparison on a syscall argument. Values are numbers or symbolic names joined by `|`
/// (`"CLONE_NEWUSER|CLONE_NEWNS"`), resolved by ``SeccompConstants``.
public struct SeccompCondition: Codable, Sendable, Hashable {
    public var arg: UInt32
    /// `eq`, `ne` or `maskedEq` (then `mask` is required; ioctl numbers are masked to 32 bits).
    public var op: String
    public var value: SymbolicValue
    public var mask: SymbolicValue?
}

/// A number written either as a JSON number or as symbolic constant names.
public struct SymbolicValue: Codable, Sendable, Hashable {
    public var text: String

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(UInt64.self) {
            text = String(number)
        } else {
            text = try container.decode(String.self)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
