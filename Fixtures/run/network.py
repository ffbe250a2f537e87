# Every kind of outward socket must fail; prints what happened to each.
import socket
results = {}
for name, family, kind in [("inet", socket.AF_INET, socket.SOCK_STREAM), ("inet6", socket.AF_INET6, socket.SOCK_STREAM),
                           ("udp", socket.AF_INET, socket.SOCK_DGRAM), ("netlink", socket.AF_NETLINK, socket.SOCK_RAW),
                           ("vsock", 40, socket.SOCK_STREAM)]:
    try:
        socket.socket(family, kind).close()
        results[name] = "opened"
    except OSError as error:
        results[name] = "errno %d" % error.errno
print(results)
