import Foundation
import Sandbox
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `--network loopback`: a network namespace of the run's own with lo up. The tests' own
/// servers on 127.0.0.1 work; the host's listeners — TCP on its loopback, a daemon's unix
/// socket — and the outside world stay out of reach.
@Suite(.enabled(if: Checkout.isRoot, "network namespaces need root"))
struct LoopbackNetworkTests {
    @Test func ownServersWorkAndTheHostStaysOutOfReach() throws {
        // A TCP listener and a world-writable unix socket on the host, like a local database's.
        let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(tcp) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, length) } }
        listen(tcp, 4)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(tcp, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let path = "/tmp/proctor-loopback-\(getpid()).sock"
        unlink(path)
        let unix = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer {
            close(unix)
            unlink(path)
        }
        var unixAddress = sockaddr_un()
        unixAddress.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &unixAddress.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        _ = withUnsafePointer(to: &unixAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(unix, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        listen(unix, 4)
        chmod(path, 0o777)

        let profile = try SandboxProfile.load(named: "python", sandboxesDirectory: Checkout.sandboxes).withLoopbackNetwork()
        let sandbox = try Sandbox(profile: profile, workBase: Checkout.workBase)
        let outcome = sandbox.run(
            RunRequest(
                program: Checkout.fixture("loopback_network.py"), programName: "loopback_network.py", arguments: ["\(port)", path],
                limits: profile.definition.limits))
        #expect(outcome.status == "exited", "\(outcome.statusText): \(outcome.stderr)")
        let result = try Checkout.json(outcome)
        #expect(result["own_server"] as? String == "pong")
        #expect((result["host_tcp"] as? String)?.hasPrefix("refused") == true)
        #expect((result["host_unix"] as? String)?.hasPrefix("refused") == true)
        #expect((result["outside"] as? String)?.hasPrefix("refused") == true)

        // Without it, the same program reaches no server at all, its own included.
        let plain = try Sandbox(profile: try SandboxProfile.load(named: "python", sandboxesDirectory: Checkout.sandboxes), workBase: Checkout.workBase)
        let without = plain.run(
            RunRequest(
                program: Checkout.fixture("loopback_network.py"), programName: "loopback_network.py", arguments: ["\(port)", path],
                limits: profile.definition.limits))
        let closed = try Checkout.json(without)
        #expect((closed["own_server"] as? String)?.hasPrefix("error") == true)
        #expect((closed["host_unix"] as? String)?.hasPrefix("refused") == true)
    }
}
