#!/usr/bin/env python3
"""Captures raw DNS responses (CD and DO set, as mailtls asks) from a validating resolver, for replay in unit tests.

Usage (inside a throwaway network namespace running unbound over the ldns zones, see capture.sh):
    capture.py 127.0.0.1 > unbound-responses.txt
Each output line: <qname> <qtype> <ad-bit-without-cd> <rcode-without-cd> <hex of the CD response>.
The AD bit and RCODE of a second query without CD record unbound's own verdict for the cross-check.
For every question, the DS and DNSKEY questions of every suffix are captured too (what the validator walks).
"""
import random, socket, struct, sys

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28, "DS": 43, "DNSKEY": 48, "TLSA": 52}
QUESTIONS = [
    ("signed.tld", "MX"), ("mail.signed.tld", "A"), ("_25._tcp.mail.signed.tld", "TLSA"), ("alias.signed.tld", "A"),
    ("host.wild.signed.tld", "A"), ("nope.signed.tld", "A"), ("signed.tld", "TXT"), ("_25._tcp.signed.tld", "TLSA"),
    ("nsec.tld", "MX"), ("nope.nsec.tld", "A"), ("b.nsec.tld", "TXT"), ("x.wild.nsec.tld", "MX"), ("mx.nsec.tld", "TLSA"),
    ("unsigned.tld", "MX"), ("mx.unsigned.tld", "A"), ("nope.tld", "A"), ("nope", "A"),
]


def query(server, name, qtype, cd):
    qid = random.randrange(65536)
    flags = 0x0100 | (0x0010 if cd else 0)
    wire = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\0"
    msg = struct.pack(">HHHHHH", qid, flags, 1, 0, 0, 1) + wire + struct.pack(">HH", TYPES[qtype], 1)
    msg += b"\0" + struct.pack(">HHIH", 41, 1232, 0x8000, 0)
    with socket.create_connection((server, 53), timeout=5) as s:  # TCP: no truncation in the recording
        s.sendall(struct.pack(">H", len(msg)) + msg)
        length = struct.unpack(">H", s.recv(2, socket.MSG_WAITALL))[0]
        return s.recv(length, socket.MSG_WAITALL)


def suffixes(name):
    labels = [l for l in name.split(".") if l]
    return ["."] + [".".join(labels[i:]) for i in range(len(labels) - 1, -1, -1)]


def main():
    server = sys.argv[1]
    seen = set()
    todo = []
    for name, qtype in QUESTIONS:
        for s in suffixes(name):
            todo += [(s, "DNSKEY"), (s, "DS")]
        todo.append((name, qtype))
    for name, qtype in todo:
        if (name, qtype) in seen:
            continue
        seen.add((name, qtype))
        plain = query(server, name, qtype, cd=False)
        ad = (struct.unpack(">H", plain[2:4])[0] >> 5) & 1
        rcode = struct.unpack(">H", plain[2:4])[0] & 0xF
        print(name, qtype, ad, rcode, query(server, name, qtype, cd=True).hex())


main()
