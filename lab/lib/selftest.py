#!/usr/bin/env python3
"""Lab self-test with peer tools (dig, delv, posttls-finger, swaks, openssl, curl, mta-sts-query,
imaplib, psql). Data-driven from plan.json written by labgen.py. Prints TAP-style lines and
`selftest: N passed, M failed`."""
import concurrent.futures
import json
import os
import random
import subprocess
import sys

RUN = os.environ.get("MAILTLS_LAB_RUN", "/run/mailtls-lab")
LAB = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NS = "mailtls-lab"
CA = "/etc/ssl/certs/ca-certificates.crt"  # inside the namespace: includes the lab root


def ns(cmd, timeout=20, inp=None):
    """Run cmd inside the namespace; returns (rc, stdout+stderr)."""
    try:
        r = subprocess.run(["ip", "netns", "exec", NS, "timeout", str(timeout)] + cmd, input=inp,
                           capture_output=True, text=True, timeout=timeout + 10)
        return r.returncode, r.stdout + r.stderr
    except subprocess.TimeoutExpired:
        return 124, "timeout"


tests = []  # (description, callable -> (ok, diag))


def t(desc):
    def deco(fn):
        tests.append((desc, fn))
        return fn
    return deco


def add(desc, fn):
    tests.append((desc, fn))


plan = json.load(open(os.path.join(RUN, "plan.json")))
SIGNED_OK = ("signed", "knot")
BOGUS = ("expired-rrsig", "ds-mismatch")
INSECURE = ("unsigned", "missing-ds")

# ------------------------------------------------------------------ daemons
for name, pid in [("knot", "knot/knot.pid"), ("unbound", "unbound/unbound.pid"), ("nginx", "nginx/nginx.pid"),
                  ("postfix", "postfix/queue/pid/master.pid"), ("dovecot", "dovecot/base/master.pid")]:
    def chk(pid=pid):
        try:
            p = int(open(os.path.join(RUN, pid)).read().split()[0])
            os.kill(p, 0)
        except Exception as e:
            return False, str(e)
        return True, ""
    add(f"{name} is running", chk)

# ------------------------------------------------------------------ DNS
def dig_check(domain, signing):
    def f():
        rc, out = ns(["dig", "+dnssec", "+time=3", "+tries=2", "SOA", domain + "."], 15)
        status = out.split("status: ")[1].split(",")[0] if "status: " in out else "?"
        flags = out.split("flags:")[1].split(";")[0] if "flags:" in out else ""
        ad = " ad" in flags
        if signing in SIGNED_OK:
            return status == "NOERROR" and ad, f"status={status} flags={flags}"
        if signing in BOGUS:
            return status == "SERVFAIL", f"status={status}"
        return status == "NOERROR" and not ad, f"status={status} flags={flags}"
    return f


def delv_check(domain, signing):
    def f():
        rc, out = ns(["delv", "-a", os.path.join(RUN, "root-anchor.conf"), "@127.0.0.53", "SOA", domain + "."], 20)
        if signing in SIGNED_OK:
            return "; fully validated" in out, out.strip()[:300]
        if signing in BOGUS:
            return "resolution failed" in out, out.strip()[:300]
        return "; unsigned answer" in out, out.strip()[:300]
    return f


def auth_check(domain):
    def f():
        rc, out = ns(["dig", "+norec", "+time=3", "@127.53.0.1", "SOA", domain + "."], 10)
        return " aa" in out.split("flags:")[1].split(";")[0] if "flags:" in out else False, out[-200:]
    return f


add("root zone: dig +dnssec SOA . has AD", dig_check(".".rstrip("."), "signed") if False else
    (lambda: (lambda o: (" ad" in o.split("flags:")[1].split(";")[0], o[-300:]))(ns(["dig", "+dnssec", "SOA", "."])[1])))
for dom in plan["domains"]:
    d, sg = dom["domain"], dom["signing"]
    want = {"signed": "AD", "knot": "AD", "expired-rrsig": "SERVFAIL", "ds-mismatch": "SERVFAIL"}.get(sg, "insecure, no AD")
    add(f"dig +dnssec {d} ({sg}) -> {want}", dig_check(d, sg))
    add(f"delv {d} ({sg}) -> {'fully validated' if sg in SIGNED_OK else 'resolution failed' if sg in BOGUS else 'unsigned answer'}",
        delv_check(d, sg))
    if sg in BOGUS:
        add(f"knot serves {d} authoritatively (the data exists, validation fails)", auth_check(d))
    if dom["mx"]:
        def mxc(d=d, sg=sg, mx=dom["mx"]):
            rc, out = ns(["dig", "+short", "MX", d + "."], 10)
            got = sorted(l.strip().rstrip(".") for l in out.splitlines() if l.strip())
            if sg in BOGUS:
                return got == [], f"got {got}"
            want = sorted(x.rstrip(".") for x in mx)
            return got == want, f"got {got} want {want}"
        add(f"dig MX {d} returns {'nothing (bogus)' if sg in BOGUS else ', '.join(dom['mx'])}", mxc)

# ------------------------------------------------------------------ signing: knot zones accept TSIG-signed updates
def knsupdate_check(zone, key_arg, want_ok):
    def f():
        name = f"selftest-{os.getpid()}.{zone}."
        script = f"server {plan['tsig']['server']}\nzone {zone}.\nupdate add {name} 60 TXT \"selftest\"\nsend\n"
        rc, out = ns(["knsupdate", "-t", "5"] + key_arg, 15, inp=script)
        if not want_ok:
            return rc != 0 and ("NOTAUTH" in out or "BADSIG" in out or "verify" in out), out[-300:]
        rc2, out2 = ns(["dig", "+norec", "+short", f"@{plan['tsig']['server']}", "TXT", name], 10)
        cleanup = f"server {plan['tsig']['server']}\nzone {zone}.\nupdate delete {name} TXT\nsend\n"
        rc3, out3 = ns(["knsupdate", "-t", "5"] + key_arg, 15, inp=cleanup)
        return rc == 0 and '"selftest"' in out2 and rc3 == 0, (out + out2 + out3)[-300:]
    return f


if plan.get("tsig"):
    ykey = open(plan["tsig"]["y"]).read().strip()
    for zone, sg in plan["zones"].items():
        if sg != "knot":
            continue
        add(f"knsupdate -y {plan['tsig']['name']} adds and deletes a TXT record in {zone} (Knot signs it)", knsupdate_check(zone, ["-y", ykey], True))
        bad = ykey.rsplit(":", 1)[0] + ":" + "A" * 43 + "="
        add(f"knsupdate with a wrong secret is refused by Knot for {zone}", knsupdate_check(zone, ["-y", bad], False))
    for p in plan.get("knot_policy", []):
        add(f"curl https://{p['host']}/.well-known/mta-sts.txt returns the policy (signing: knot domain, {p['server']})",
            (lambda p=p: (lambda rc_out: (rc_out[0] == 0 and rc_out[1].replace("\r\n", "\n") == p["policy"].replace("\r\n", "\n"), rc_out[1][-200:]))(
                ns(["curl", "-sS", "--max-time", "5", f"https://{p['host']}/.well-known/mta-sts.txt"], 10))))


# ------------------------------------------------------------------ NSEC3 zones (dnssec: {denial: nsec3})
def nsec3_hash(name, salt_hex, iterations):
    import base64, hashlib
    wire = b"".join(len(l).to_bytes(1, "big") + l.encode() for l in name.lower().rstrip(".").split(".") if l) + b"\0"
    salt = bytes.fromhex(salt_hex)
    h = hashlib.sha1(wire + salt).digest()
    for _ in range(iterations):
        h = hashlib.sha1(h + salt).digest()
    return base64.b32encode(h).decode().translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
                                                                "0123456789abcdefghijklmnopqrstuv"))


def dig_flags(args):
    rc, out = ns(["dig", "+dnssec", "+time=3", "+tries=2"] + args, 15)
    status = out.split("status: ")[1].split(",")[0] if "status: " in out else "?"
    flags = out.split("flags:")[1].split(";")[0] if "flags:" in out else ""
    return status, " ad" in flags, out


for zone, opts in (plan.get("denial") or {}).items():
    if opts.get("denial") != "nsec3" or plan["zones"].get(zone) != "signed":
        continue
    nx = f"no-such-name.{zone}."
    if opts.get("opt-out"):
        def nxo(nx=nx):
            status, ad, out = dig_flags(["A", nx])
            return status == "NXDOMAIN" and not ad, f"status={status} ad={ad}"
        add(f"dig +dnssec A {nx} (NSEC3 opt-out zone) -> NXDOMAIN without AD (RFC 5155 §9.2)", nxo)
    else:
        def nxs(nx=nx):
            status, ad, out = dig_flags(["A", nx])
            nsec3 = any(l.split()[3:4] == ["NSEC3"] for l in out.splitlines() if l and not l.startswith(";"))
            return status == "NXDOMAIN" and ad and nsec3, f"status={status} ad={ad} nsec3={nsec3}"
        add(f"dig +dnssec A {nx} (NSEC3 zone) -> NXDOMAIN with AD and NSEC3 proof", nxs)
    for child in [d["domain"] for d in plan["domains"] if d["domain"].endswith("." + zone)
                  and d["domain"].count(".") == zone.count(".") + 1 and d["signing"] in ("unsigned", "missing-ds")]:
        def noad(child=child):
            status, ad, out = dig_flags(["MX", child + "."])
            return status == "NOERROR" and not ad, f"status={status} ad={ad}"
        add(f"dig +dnssec MX {child} (unsigned child of the NSEC3 zone {zone}) -> no AD", noad)
        if not opts.get("opt-out"):
            continue

        def span(child=child, zone=zone, opts=opts):
            # Knot's referral proves the missing DS with a covering opt-out NSEC3, not one at the child's hash.
            rc, out = ns(["dig", "+dnssec", "+norec", "+time=3", "@127.53.0.1", "DS", child + "."], 10)
            h = nsec3_hash(child, opts.get("salt", ""), opts.get("iterations", 0))
            recs = [l.split() for l in out.splitlines() if not l.startswith(";") and " NSEC3 " in f" {l} " and "RRSIG" not in l.split()[3:4]]
            owners = [r[0].split(".", 1)[0].lower() for r in recs]
            def covers(o, n):
                return o < h < n or (n < o and (h > o or h < n))
            cover = [r for r in recs if r[5] == "1" and covers(r[0].split(".", 1)[0].lower(), r[8].lower())]
            return h not in owners and bool(cover), f"hash {h}; NSEC3 owners {owners}"
        add(f"{child} lies inside an opt-out span of {zone} (no NSEC3 at its hash, a covering opt-out NSEC3)", span)

# ------------------------------------------------------------------ SMTP
CERT_ERR = [("expired", "certificate has expired"), ("not-yet-valid", "certificate is not yet valid"),
            ("self-signed", "self-signed certificate"), ("untrusted", "self-signed certificate in certificate chain"),
            ("wrong-name", "hostname mismatch")]


def cert_expectation(spec):
    if spec.get("ca") == "untrusted":
        spec = dict(spec, untrusted=True)
    for k, msg in CERT_ERR:
        if spec.get(k):
            return msg
    return None


for m in plan["mx"]:
    ip, host, beh = m["ip"], m["host"], m["behaviour"]
    tgt = f"[{ip}]"
    if beh == "normal":
        def ptf(tgt=tgt):
            rc, out = ns(["posttls-finger", "-c", "-t", "5", "-T", "5", "-l", "may", tgt], 20)
            return "TLS connection established" in out, out[-300:]
        add(f"posttls-finger {host} {ip}: STARTTLS offered, TLS established", ptf)
        err = cert_expectation(m["cert"] or {})

        def osc(ip=ip, host=host, err=err):
            addr = f"[{ip}]:25" if ":" in ip else f"{ip}:25"
            rc, out = ns(["openssl", "s_client", "-starttls", "smtp", "-connect", addr, "-servername", host,
                          "-verify_hostname", host, "-verify_return_error", "-brief"], 15, inp="QUIT\n")
            if err is None:
                return rc == 0 and "Verification: OK" in out, out[-300:]
            return rc != 0 and err in out, out[-300:]
        add(f"openssl s_client -starttls smtp {host} {ip}: " + ("certificate verifies for the host name" if err is None else f"fails with '{err}'"), osc)
    elif beh == "no-starttls":
        def sw(ip=ip):
            rc, out = ns(["swaks", "--server", ip, "--port", "25", "--tls", "--quit-after", "TLS", "--timeout", "5",
                          "--to", "postmaster@lab", "--from", "selftest@lab", "--helo", "selftest.lab"], 20)
            return rc != 0 and "STARTTLS" in out and "220 " in out, out[-300:]
        add(f"swaks {host} {ip}: banner received, STARTTLS not advertised", sw)
    elif beh == "tarpit":
        def tp(tgt=tgt):
            rc, out = ns(["posttls-finger", "-c", "-t", "3", "-T", "3", tgt], 15)
            return "timeout while reading server greeting" in out, out[-300:]
        add(f"posttls-finger {host} {ip}: tarpit, timeout while reading the greeting", tp)

        def tp2(ip=ip):
            rc, out = ns(["swaks", "--server", ip, "--quit-after", "CONNECT", "--timeout", "3", "--to", "x@lab"], 15)
            return rc != 0 and "220 " not in out, out[-300:]
        add(f"swaks {host} {ip}: tarpit, no banner before timeout", tp2)
    elif beh == "drop-after-starttls":
        def dr(tgt=tgt):
            rc, out = ns(["posttls-finger", "-c", "-t", "5", "-T", "5", "-l", "may", tgt], 15)
            return "SSL_connect error" in out and "established" not in out, out[-300:]
        add(f"posttls-finger {host} {ip}: STARTTLS offered, connection dropped before the handshake", dr)

for dom in plan["domains"]:
    if dom["signing"] != "signed":
        continue
    for h, hp in dom["hosts"].items():
        if hp.get("dane", "none") == "none" or not hp["addresses"]:
            continue
        want = hp["dane"]

        def dn(h=h, want=want):
            rc, out = ns(["posttls-finger", "-c", "-t", "5", "-T", "5", "-l", "dane", f"[{h}]"], 20)
            if want == "verified":
                return "Verified TLS connection established" in out, out[-300:]
            return "no matching DANE TLSA records" in out, out[-300:]
        add(f"posttls-finger -l dane {h}: " + ("DANE verified" if want == "verified" else "no matching TLSA"), dn)

# ------------------------------------------------------------------ HTTPS (curl)
for p in plan["policy"]:
    host, http = p["host"], p["http"] or {}
    url = f"https://{host}/.well-known/mta-sts.txt"
    fmt = "%{http_code}|%{content_type}|%{redirect_url}|%{size_download}"
    cert = http.get("cert") or {}
    cert_err = cert_expectation(cert)
    if p.get("signing") in BOGUS:
        def nr(url=url):
            rc, out = ns(["curl", "-sS", "-o", "/dev/null", "--max-time", "5", url], 10)
            return rc == 6, f"rc={rc} {out[-200:]}"
        add(f"curl {host}: name does not resolve (DNSSEC bogus, exit 6)", nr)
        continue
    if cert_err:
        def cf(url=url):
            rc, out = ns(["curl", "-sS", "-o", "/dev/null", "--max-time", "5", url], 10)
            return rc == 60, f"rc={rc} {out[-200:]}"
        add(f"curl {host}: certificate ({', '.join(k for k, v in cert.items() if v)}) fails verification (exit 60)", cf)
        continue
    if http.get("slow"):
        def sl(url=url):
            rc, out = ns(["curl", "-sS", "-o", "/dev/null", "--max-time", "3", url], 10)
            return rc == 28, f"rc={rc} {out[-200:]}"
        add(f"curl {host}: slow trickle times out after 3 s (exit 28)", sl)
        continue

    def cu(url=url, http=http, p=p):
        rc, out = ns(["curl", "-sS", "--max-time", "8", "-o", "/dev/null", "-w", fmt, url], 15)
        if rc != 0:
            return False, f"rc={rc} {out[-200:]}"
        code, ctype, loc, size = out.strip().split("|")
        if http.get("redirect"):
            rd = http["redirect"] if isinstance(http["redirect"], dict) else {}
            return code == str(rd.get("code", 301)) and loc != "", out
        if http.get("status", 200) != 200:
            return code == str(http["status"]), out
        if code != "200":
            return False, out
        want_ct = http.get("content-type", "text/plain")
        if ctype.split(";")[0].strip() != want_ct:
            return False, out
        if http.get("oversize"):
            return int(size) > 65536, out
        return int(size) == len(p["policy"].encode()), out
    desc = ("redirect %s with Location" % ((http["redirect"] if isinstance(http["redirect"], dict) else {}).get("code", 301))
            if http.get("redirect") else f"HTTP {http['status']}" if http.get("status", 200) != 200 else
            "200, body > 64 KiB" if http.get("oversize") else f"200 with Content-Type {http.get('content-type', 'text/plain')}")
    add(f"curl {host}: {desc}", cu)


def curl_body(url, want):
    def f():
        rc, out = ns(["curl", "-sS", "--max-time", "5", url], 10)
        return rc == 0 and out.replace("\r\n", "\n") == want.replace("\r\n", "\n"), out[-200:]
    return f


for p in plan["policy"]:
    if not (p["http"] or {}) and p["cert_ok"]:
        add(f"curl https://{p['host']}/.well-known/mta-sts.txt returns the policy", curl_body(f"https://{p['host']}/.well-known/mta-sts.txt", p["policy"]))
        break

# ------------------------------------------------------------------ mta-sts-query
for dom in plan["domains"]:
    want = dom.get("mta_sts_query")
    if want is None:
        continue

    def mq(d=dom["domain"], want=want):
        rc, out = ns(["mta-sts-query", "-v", "error", d], 20)
        return f"STSFetchResult.{want}" in out, out.strip()[-300:]
    add(f"mta-sts-query {dom['domain']} -> {want}", mq)

# ------------------------------------------------------------------ IMAP
IMAP_PY = r"""
import imaplib, ssl, sys
pw = open(sys.argv[1]).read().strip()
m = imaplib.IMAP4_SSL("imap.lab", 993, ssl_context=ssl.create_default_context())
m.login("tlsrpt", pw)
typ, data = m.select("INBOX", readonly=True)
n = int(data[0])
typ, hits = m.search(None, "HEADER", "Content-Type", "tlsrpt")
print("messages", n, "tlsrpt", len(hits[0].split()))
m.logout()
c = imaplib.IMAP4("imap.lab", 143)
c.starttls(ssl.create_default_context())
c.login("tlsrpt", pw)
print("starttls-login ok")
"""
im = plan.get("imap", {})


def imap_check():
    rc, out = ns(["python3", "-c", IMAP_PY, im["password_file"]], 30)
    if rc != 0:
        return False, out[-300:]
    parts = out.split()
    n, hits = int(parts[1]), int(parts[3])
    return n == im["messages"] and hits >= im["generated"] and "starttls-login ok" in out, out.strip()


add(f"IMAPS login as tlsrpt at imap.lab, INBOX holds {im.get('messages')} TLS-RPT mails ({im.get('samples')} samples + {im.get('generated')} generated), STARTTLS on 143 works", imap_check)

# ------------------------------------------------------------------ PostgreSQL


def pg_check():
    r = subprocess.run([os.path.join(LAB, "pg"), "up"], capture_output=True, text=True, timeout=90)
    if r.returncode != 0:
        return False, r.stderr[-300:]
    url = open(os.path.join(RUN, "pg-url")).read().strip()
    rc, out = ns(["psql", url, "-tAc", "select current_user || '@' || current_database()"], 20)
    return rc == 0 and "mailtls@mailtls" in out, out[-200:]


add("PostgreSQL (lab/pg up) accepts a connection as mailtls@pg.lab:5432/mailtls", pg_check)

# ------------------------------------------------------------------ bulk
if plan.get("bulk"):
    doms = open(os.path.join(RUN, "bulk-domains.txt")).read().split()
    sample = random.Random(7).sample(doms, min(20, len(doms)))

    def bk():
        bad = []
        for d in sample:
            rc, out = ns(["dig", "+short", "+time=3", "MX", d + "."], 10)
            if not out.strip():
                bad.append(d)
        return not bad, f"unresolved: {bad}"
    add(f"bulk: dig MX resolves 20 random bulk domains of {len(doms)}", bk)
    rows = [l.split("\t") for l in open(os.path.join(RUN, "bulk-domains.tsv")) if not l.startswith("#")]
    enf = [r[0] for r in rows if r[2] in ("enforce", "testing")][:1]
    if enf:
        def bp(d=enf[0]):
            rc, out = ns(["mta-sts-query", "-v", "error", d], 20)
            return "STSFetchResult.VALID" in out, out[-200:]
        add(f"bulk: mta-sts-query {enf[0]} -> VALID (per-host certificate on the shared policy server)", bp)


# ------------------------------------------------------------------ run
def run_one(item):
    desc, fn = item
    try:
        ok, diag = fn()
    except Exception as e:  # noqa: BLE001
        ok, diag = False, f"exception: {e!r}"
    return desc, ok, diag


def main():
    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as ex:
        results = list(ex.map(run_one, tests))
    passed = failed = 0
    print(f"1..{len(results)}")
    for i, (desc, ok, diag) in enumerate(results, 1):
        if ok:
            passed += 1
            print(f"ok {i} - {desc}")
        else:
            failed += 1
            print(f"not ok {i} - {desc}")
            for line in str(diag).strip().splitlines()[-6:]:
                print(f"#   {line}")
    print(f"selftest: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
