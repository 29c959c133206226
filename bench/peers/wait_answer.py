#!/usr/bin/env python3
"""Waits until a DNS server answers NAME/A with the wanted rcode; prints the seconds it took.

usage: wait_answer.py PORT NAME RCODE TIMEOUT_S [T0]
T0 (epoch seconds, float) is when the clock started (default: now): a caller that starts a
server passes the moment it started it. Polls over UDP on 127.0.0.1 every 10 ms. Exit 1 on timeout.
"""
import random
import socket
import struct
import sys
import time


def query(name, qid):
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0"
    return struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack(">HH", 1, 1)


def main():
    port, name, rcode, timeout = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    t0 = float(sys.argv[5]) if len(sys.argv) > 5 else time.time()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.01)
    while time.time() - t0 < timeout:
        qid = random.randrange(65536)
        try:
            s.sendto(query(name, qid), ("127.0.0.1", port))
            end = time.time() + 0.01
            while time.time() < end:
                data = s.recv(4096)
                if len(data) >= 12 and struct.unpack(">H", data[:2])[0] == qid:
                    if data[3] & 0x0F == rcode:
                        print("%.3f" % (time.time() - t0))
                        return 0
                    break
        except (socket.timeout, ConnectionRefusedError):
            pass
        time.sleep(0.01)
    print("timeout", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
