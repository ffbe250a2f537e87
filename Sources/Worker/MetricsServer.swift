import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Serves `GET /metrics` (Prometheus text format) on one address, from a thread of its own.
/// Deliberately tiny: one request per connection, a short read deadline, nothing else served.
final class MetricsServer: @unchecked Sendable {
    // @unchecked: `listener` is written once before the thread starts; `stopped` is atomic enough
    // for a flag polled every 200 ms.
    private let listener: Int32
    private let body: @Sendable () -> [UInt8]
    nonisolated(unsafe) private var stopped = false
    let port: Int

    /// `address` is `HOST:PORT` (IPv4); port 0 picks a free one.
    init(address: String, body: @escaping @Sendable () -> [UInt8]) throws(WorkerError) {
        let parts = address.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            throw WorkerError("--metrics \(address): expected HOST:PORT, e.g. 127.0.0.1:9464")
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, String(parts[0]), &addr.sin_addr) == 1 else {
            throw WorkerError("--metrics \(address): \(parts[0]) is not an IPv4 address")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw WorkerError("--metrics: socket failed (errno \(errno))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let code = errno
            close(fd)
            throw WorkerError("--metrics \(address): cannot listen (\(String(cString: strerror(code))))")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.body = body
    }

    func start() {
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    func stop() { stopped = true }

    private func serve() {
        defer { close(listener) }
        while !stopped {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 200) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)  // sandboxed children must never inherit it
            respond(client)
            close(client)
        }
    }

    private func respond(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while request.count < 16384 {
            let count = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            request += chunk[0..<count]
            if request.count >= 4 && request.suffix(4).elementsEqual("\r\n\r\n".utf8) { break }
        }
        let line = String(decoding: request.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        let response: [UInt8]
        if line.hasPrefix("GET /metrics") {
            let payload = body()
            response =
                Array(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n\r\n"
                        .utf8)
                + payload
        } else {
            response = Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
        }
        var offset = 0
        while offset < response.count {
            let written = response.withUnsafeBytes { write(client, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
    }
}
