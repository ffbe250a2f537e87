/// Names that may appear in policy files instead of bare numbers (x86_64 Linux values).
enum SeccompConstants {
    static let values: [String: UInt64] = [
        "AF_UNIX": 1, "AF_INET": 2, "AF_INET6": 10,
        "CLONE_THREAD": 0x0001_0000,
        "CLONE_NEWNS": 0x0002_0000,
        "CLONE_NEWCGROUP": 0x0200_0000,
        "CLONE_NEWUTS": 0x0400_0000,
        "CLONE_NEWIPC": 0x0800_0000,
        "CLONE_NEWUSER": 0x1000_0000,
        "CLONE_NEWPID": 0x2000_0000,
        "CLONE_NEWNET": 0x4000_0000,
        "CLONE_NEWTIME": 0x0000_0080,
        "TCGETS": 0x5401,
        "TIOCGPGRP": 0x540F,
        "TIOCGWINSZ": 0x5413,
        "FIONREAD": 0x541B,
        "FIONBIO": 0x5421,
        "FIONCLEX": 0x5450,
        "FIOCLEX": 0x5451,
        "PR_SET_PDEATHSIG": 1,
        "PR_GET_PDEATHSIG": 2,
        "PR_GET_DUMPABLE": 3,
        "PR_SET_NAME": 15,
        "PR_GET_NAME": 16,
        "PR_GET_SECCOMP": 21,
        "PR_SET_SECCOMP": 22,
        "PR_CAPBSET_READ": 23,
        "PR_SET_NO_NEW_PRIVS": 38,
        "PR_GET_NO_NEW_PRIVS": 39,
        "PR_SET_THP_DISABLE": 41,
        "PR_GET_THP_DISABLE": 42,
        "PR_SET_VMA": 0x5356_4d41,
        "F_SETSIG": 10,
        "SIGSYS": 31,
        "SIGXCPU": 24,
        "SIGXFSZ": 25,
        "SOCK_STREAM": 1,
        "SOCK_SEQPACKET": 5,
        "F_SETPIPE_SZ": 1031,
        "SOL_SOCKET": 1,
        "MAP_SHARED": 0x01,
        "MAP_ANONYMOUS": 0x20,
        "U32_MASK": 0xFFFF_FFFF,
        "PERSONALITY_QUERY": 0xFFFF_FFFF,
    ]

    static let errnos: [String: Int32] = [
        "EPERM": 1, "ENOENT": 2, "EINTR": 4, "EIO": 5, "EAGAIN": 11, "ENOMEM": 12, "EACCES": 13,
        "EINVAL": 22, "ENOSYS": 38, "EOPNOTSUPP": 95, "EAFNOSUPPORT": 97,
    ]

    /// Resolves `"A|B|0x10"` to a number; nil names the unknown part.
    static func resolve(_ text: String) -> Result<UInt64, UnknownName> {
        var total: UInt64 = 0
        for part in text.split(separator: "|") {
            let name = part.trimmingWhitespace()
            if let value = values[name] {
                total |= value
            } else if name.hasPrefix("0x"), let value = UInt64(name.dropFirst(2), radix: 16) {
                total |= value
            } else if let value = UInt64(name) {
                total |= value
            } else {
                return .failure(UnknownName(name: name))
            }
        }
        return .success(total)
    }

    struct UnknownName: Error { let name: String }
}
