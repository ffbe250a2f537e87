# Tries to reach a host daemon's unix socket: connect() to the path given, and sendto() it from an
# unconnected datagram socket (no connect needed). Prints what happened to each.
import socket
import sys

path = sys.argv[1]
try:
    stream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stream.connect(path)
    stream.sendall(b"hello from the sandbox")
    print("connect: reached")
except OSError as error:
    print("connect: refused (%s)" % type(error).__name__)
try:
    datagram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    datagram.sendto(b"hello from the sandbox", path + ".dgram")
    print("sendto: reached")
except OSError as error:
    print("sendto: refused (%s)" % type(error).__name__)
