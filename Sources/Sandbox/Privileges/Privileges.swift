import CCap

#if canImport(Glibc)
    import Glibc
#endif

/// What the grader process itself may do, read once with libcap.
///
/// Dropping to another uid, creating namespaces and clearing the bounding set all need
/// capabilities; without them the sandbox still applies rlimits, no_new_privs, Landlock and
/// seccomp, and reports the missing layers instead of pretending.
struct Privileges: Sendable {
    /// Can switch uid/gid and drop capabilities (CAP_SETUID, CAP_SETGID, CAP_SETPCAP).
    let canDropToSlotUser: Bool
    /// Can create PID/IPC/UTS/net namespaces (CAP_SYS_ADMIN).
    let canCreateNamespaces: Bool
    /// Highest capability number the running kernel knows.
    let lastCapability: Int32

    static let current = Privileges()

    private init() {
        lastCapability = max(Int32(cap_max_bits()) - 1, 40)
        func has(_ capability: cap_value_t) -> Bool {
            guard let caps = cap_get_proc() else { return false }
            defer { cap_free(UnsafeMutableRawPointer(caps)) }
            var value = CAP_CLEAR
            guard cap_get_flag(caps, capability, CAP_EFFECTIVE, &value) == 0 else { return false }
            return value == CAP_SET
        }
        canDropToSlotUser = has(CAP_SETUID) && has(CAP_SETGID) && has(CAP_SETPCAP)
        canCreateNamespaces = has(CAP_SYS_ADMIN)
    }
}
