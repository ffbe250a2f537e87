# Under --network loopback: a server of the run's own on 127.0.0.1 is reachable; a host's TCP
# listener (its port in argv[1]) and a host's unix socket (its path in argv[2]) are not; no unix
# socket can even be made. Prints what happened as JSON; every attempt ends within a second.
import json
import socket
import sys
import threading

result = {}
try:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def answer():
        connection, _ = server.accept()
        connection.sendall(b"pong")
        connection.close()

    threading.Thread(target=answer, daemon=True).start()
    client = socket.create_connection(("127.0.0.1", port), timeout=1)
    result["own_server"] = client.recv(4).decode()
except OSError as error:
    result["own_server"] = "error: %s" % error
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
    result["host_tcp"] = "connected"
except OSError as error:
    result["host_tcp"] = "refused: %s" % error.__class__.__name__
try:
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.settimeout(1)
    unix.connect(sys.argv[2])
    result["host_unix"] = "connected"
except OSError as error:
    result["host_unix"] = "refused: %s" % error.__class__.__name__
try:
    socket.create_connection(("93.184.216.34", 80), timeout=1)
    result["outside"] = "connected"
except OSError as error:
    result["outside"] = "refused: %s" % error.__class__.__name__
print(json.dumps(result))
