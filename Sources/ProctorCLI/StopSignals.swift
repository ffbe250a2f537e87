#if canImport(Glibc)
    import Glibc
#endif

/// Ctrl-C and SIGTERM for commands that stop gracefully (`grade`, `worker`).
enum StopSignals {
    /// Installs `handler` for SIGINT and SIGTERM and unblocks both, in case our parent handed us
    /// a mask that blocks them (Swift and Dispatch threads block almost every signal).
    static func install(_ handler: @convention(c) (Int32) -> Void) {
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
    }
}
