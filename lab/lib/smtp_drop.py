#!/usr/bin/python3
"""SMTP server that offers STARTTLS and drops the connection right after '220 Ready to start TLS'.

Run by Postfix spawn(8): the client socket is stdin/stdout. argv[1] is the host name.
"""
import sys

host = sys.argv[1] if len(sys.argv) > 1 else "smtp.lab"
out = sys.stdout.buffer
inp = sys.stdin.buffer


def send(line):
    out.write(line.encode() + b"\r\n")
    out.flush()


send(f"220 {host} ESMTP mailtls lab (drops after STARTTLS)")
while True:
    line = inp.readline()
    if not line:
        break
    cmd = line.decode("latin-1").strip().upper()
    if cmd.startswith("EHLO"):
        send(f"250-{host}")
        send("250-PIPELINING")
        send("250-SIZE 10240000")
        send("250-STARTTLS")
        send("250 8BITMIME")
    elif cmd.startswith("HELO"):
        send(f"250 {host}")
    elif cmd == "STARTTLS":
        send("220 2.0.0 Ready to start TLS")
        break  # drop without a TLS handshake
    elif cmd == "QUIT":
        send("221 2.0.0 Bye")
        break
    elif cmd == "NOOP" or cmd.startswith("RSET"):
        send("250 2.0.0 Ok")
    else:
        send("530 5.7.0 Must issue a STARTTLS command first")
