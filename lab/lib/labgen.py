#!/usr/bin/env python3
"""mailtls lab generator.

Reads scenario YAML files and writes everything the lab daemons need under the run
directory: PKI (CA, leaf certificates, keys), DNS zones (signed with ldns-signzone),
Knot, unbound, nginx, Postfix and Dovecot configuration, the IMAP mailbox, the bulk
domains and a plan (plan.json) that lab/selftest uses to check the lab with peer tools.

Usage: labgen.py --run DIR --lab DIR [--scenarios DIR]... [--bulk N]
"""
import argparse
import base64
import concurrent.futures
import datetime as dt
import glob
import gzip
import hashlib
import ipaddress
import json
import os
import random
import shutil
import subprocess
import sys
import time
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

# ---------------------------------------------------------------- address plan
KNOT_V4 = "127.53.0.1"
UNBOUND_V4 = "127.0.0.53"
POLICY_V4 = "127.44.0.1"      # scenario policy hosts (SNI)
POLICY_V6 = "fd00:44::1"
BULK_POLICY_V4 = "127.44.0.2"  # bulk policy hosts (one server block, per-host certs)
MAILTLS_POLICY_V4 = "127.44.0.9"  # `mailtls serve` for the clean policy hosts (lab/up --policy-host mailtls)
IMAP_V4 = "127.143.0.1"
PG_V4 = "127.54.32.1"
MX_V4_NET = (127, 25)          # auto MX addresses 127.25.x.y
MX_V6_PREFIX = "fd00:25::"     # auto MX IPv6 addresses fd00:25::N
NS_NAME = "ns1.lab."
LAB_CA_CAA = "ca.mailtls.lab"  # CAA issuer-domain-name of the lab CA
UNTRUSTED_CA_CAA = "untrusted-ca.lab"

SIGNINGS = ("signed", "unsigned", "expired-rrsig", "ds-mismatch", "missing-ds", "knot")
TSIG_KEY_NAME = "lab-update"     # the TSIG key Knot accepts dynamic updates with (signing: knot zones)
BOGUS = ("expired-rrsig", "ds-mismatch")
DNSSEC_KEYS = ("denial", "opt-out", "iterations", "salt")

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def die(msg):
    print(f"labgen: error: {msg}", file=sys.stderr)
    sys.exit(2)


def fqdn(name):
    name = name.strip().lower()
    return name if name.endswith(".") else name + "."


def bare(name):
    return name.rstrip(".")


# ---------------------------------------------------------------- PKI
class Pki:
    def __init__(self, run):
        self.dir = os.path.join(run, "pki")
        self.keydir = os.path.join(self.dir, "keys")  # cached across repeated `up`
        os.makedirs(self.keydir, exist_ok=True)
        self.root_key = self.key("ca-root", "ecdsa")
        self.int_key = self.key("ca-intermediate", "ecdsa")
        self.unt_key = self.key("ca-untrusted", "ecdsa")
        self.root = self._ca("ca-root", "mailtls lab root CA", self.root_key, None, None)
        self.inter = self._ca("ca-intermediate", "mailtls lab intermediate CA", self.int_key,
                              self.root, self.root_key)
        self.untrusted = self._ca("ca-untrusted", "mailtls UNTRUSTED CA", self.unt_key, None, None)

    def key(self, name, kind):
        path = os.path.join(self.keydir, f"{name}.{kind}.key")
        if os.path.exists(path):
            with open(path, "rb") as f:
                return serialization.load_pem_private_key(f.read(), None)
        if kind == "rsa":
            k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif kind == "ecdsa":
            k = ec.generate_private_key(ec.SECP256R1())
        else:
            die(f"unknown key type {kind!r} (rsa|ecdsa)")
        with open(path, "wb") as f:
            f.write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
        os.chmod(path, 0o644)
        return k

    def _ca(self, name, cn, key, issuer, issuer_key):
        path = os.path.join(self.keydir, f"{name}.crt")
        if os.path.exists(path):
            with open(path, "rb") as f:
                return x509.load_pem_x509_certificate(f.read())
        subj = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mailtls lab"),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        b = (x509.CertificateBuilder().subject_name(subj)
             .issuer_name(issuer.subject if issuer else subj)
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(NOW - dt.timedelta(days=1))
             .not_valid_after(NOW + dt.timedelta(days=3650))
             .add_extension(x509.BasicConstraints(ca=True, path_length=None if issuer is None else 0), True)
             .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), True)
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False))
        cert = b.sign(issuer_key or key, hashes.SHA256())
        with open(path, "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        return cert

    def leaf(self, name, spec, default_names, key_override=None):
        """Issue a leaf certificate; returns dict with paths and objects."""
        spec = spec or {}
        kind = spec.get("key", "ecdsa")
        key = key_override or self.key(name, kind)
        names = [bare(n) for n in (spec.get("san") or default_names)]
        if spec.get("wrong-name"):
            names = ["wrong-name.lab"]
        nb, na = NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=90)
        if spec.get("expired"):
            nb, na = NOW - dt.timedelta(days=120), NOW - dt.timedelta(days=30)
        if spec.get("not-yet-valid"):
            nb, na = NOW + dt.timedelta(days=30), NOW + dt.timedelta(days=120)
        subj = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0][:64])])
        if spec.get("self-signed"):
            issuer, ikey, chain = subj, key, []
        elif spec.get("untrusted") or spec.get("ca") == "untrusted":
            issuer, ikey, chain = self.untrusted.subject, self.unt_key, [self.untrusted]
        else:
            issuer, ikey, chain = self.inter.subject, self.int_key, [self.inter]
        b = (x509.CertificateBuilder().subject_name(subj).issuer_name(issuer)
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(nb).not_valid_after(na)
             .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
             .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False))
        cert = b.sign(ikey, hashes.SHA256())
        base = os.path.join(self.dir, name)
        with open(base + ".crt", "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        with open(base + ".chain.pem", "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
            for c in chain:
                f.write(c.public_bytes(serialization.Encoding.PEM))
        keypath = os.path.join(self.keydir, f"{name}.{kind}.key") if key_override is None else None
        if keypath is None:
            keypath = base + ".key"
            with open(keypath, "wb") as f:
                f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
        return {"cert": cert, "key": key, "crt": base + ".crt", "chain": base + ".chain.pem",
                "keyfile": keypath, "names": names, "spec": spec}

    def write_trust(self):
        with open(os.path.join(self.dir, "lab-root.pem"), "wb") as f:
            f.write(self.root.public_bytes(serialization.Encoding.PEM))
        with open(os.path.join(self.dir, "lab-untrusted-ca.pem"), "wb") as f:
            f.write(self.untrusted.public_bytes(serialization.Encoding.PEM))


def spki_der(pub):
    return pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def tlsa_data(usage, selector, matching, cert=None, pub=None):
    if selector == 0:
        if cert is None:
            die("TLSA selector 0 needs a certificate, not a bare key")
        data = cert.public_bytes(serialization.Encoding.DER)
    else:
        data = spki_der(pub if pub is not None else cert.public_key())
    if matching == 0:
        h = data.hex()
    elif matching == 1:
        h = hashlib.sha256(data).hexdigest()
    else:
        h = hashlib.sha512(data).hexdigest()
    return f"{usage} {selector} {matching} {h}"


# ---------------------------------------------------------------- scenarios
class Alloc:
    def __init__(self):
        self.v4 = 0
        self.v6 = 0
        self.used = set()

    def next4(self):
        while True:
            self.v4 += 1
            a = f"{MX_V4_NET[0]}.{MX_V4_NET[1]}.{self.v4 // 250}.{self.v4 % 250 + 1}"
            if a not in self.used:
                self.used.add(a)
                return a

    def next6(self):
        while True:
            self.v6 += 1
            a = f"{MX_V6_PREFIX}{self.v6:x}"
            if a not in self.used:
                self.used.add(a)
                return a


def load_scenarios(dirs):
    out = []
    for d in dirs:
        if not os.path.isdir(d):
            die(f"scenario directory {d} does not exist")
        files = sorted(glob.glob(os.path.join(d, "*.yaml")) + glob.glob(os.path.join(d, "*.yml")))
        for f in files:
            with open(f) as fh:
                try:
                    doc = yaml.safe_load(fh)
                except yaml.YAMLError as e:
                    die(f"{f}: {e}")
            if not isinstance(doc, dict) or not isinstance(doc.get("domains"), list):
                die(f"{f}: a scenario needs a top-level 'domains:' list")
            doc["_file"] = f
            out.append(doc)
    return out


def policy_text(pol, domain):
    if isinstance(pol, str):
        return pol
    if "text" in pol:
        return pol["text"]
    lines = ["version: STSv1"]
    if pol.get("mode", "enforce") is not None:
        lines.append(f"mode: {pol.get('mode', 'enforce')}")
    for m in pol.get("mx", []):
        lines.append(f"mx: {bare(m)}")
    lines.append(f"max_age: {pol.get('max_age', 86400)}")
    for k, v in (pol.get("extra") or {}).items():
        lines.append(f"{k}: {v}")
    return "\r\n".join(lines) + "\r\n"


def lenient_policy_ok(text):
    """Mirror postfix-mta-sts-resolver 1.1.2 policy validation (for the expected peer result)."""
    res = {"mx": []}
    for line in text.splitlines():
        k, _, v = line.rstrip().partition(":")
        v = v.lstrip()
        if k == "mx":
            res["mx"].append(v)
        else:
            res[k] = v
    if res.get("version") != "STSv1":
        return False
    try:
        ma = int(res.get("max_age", "-1"))
    except ValueError:
        return False
    if not 0 <= ma <= 31557600 or "mode" not in res:
        return False
    if res["mode"] == "none":
        return True
    return res["mode"] in ("testing", "enforce") and bool(res["mx"])


class Lab:
    def __init__(self, args):
        self.args = args
        self.run = args.run
        self.lab = args.lab
        self.pki = Pki(self.run)
        self.alloc = Alloc()
        self.zones = {}       # zone fqdn -> {"signing":..., "records": [lines], "domain": dict|None}
        self.smtp = []        # listeners: dict(addr, host, behaviour, cert)
        self.policy_hosts = []
        self.plan = {"domains": [], "mx": [], "policy": [], "zones": {}, "denial": {}, "infra": {}}
        self.addresses = {KNOT_V4, UNBOUND_V4, POLICY_V4, BULK_POLICY_V4, IMAP_V4, PG_V4}
        self.addresses6 = {POLICY_V6}

    # ------------------------------------------------ zone helpers
    def zone_for(self, name):
        n = fqdn(name)
        while True:
            if n in self.zones:
                return n
            if n == ".":
                return "."
            n = n.split(".", 1)[1] or "."

    def ensure_zone(self, zone, signing="signed", domain=None):
        zone = fqdn(zone)
        if zone in self.zones:
            if domain is not None:
                if self.zones[zone]["domain"] is not None:
                    die(f"domain {zone} is defined twice")
                self.zones[zone]["domain"] = domain
                self.zones[zone]["signing"] = signing
            return self.zones[zone]
        self.zones[zone] = {"signing": signing, "records": [], "domain": domain}
        if zone != ".":
            parent = zone.split(".", 1)[1] or "."
            if parent not in self.zones:
                self.ensure_zone(parent, "signed")
        return self.zones[zone]

    def add(self, owner, rtype, rdata, ttl=300):
        owner = fqdn(owner)
        z = self.zone_for(owner)
        self.zones[z]["records"].append(f"{owner} {ttl} IN {rtype} {rdata}")

    # ------------------------------------------------ infrastructure
    def infra(self):
        self.ensure_zone(".", "signed")
        self.ensure_zone("lab.", "signed")
        self.ensure_zone("bulk.", "signed")
        self.add(NS_NAME, "A", KNOT_V4)
        self.add("resolver.lab.", "A", UNBOUND_V4)
        self.add("imap.lab.", "A", IMAP_V4)
        self.add("pg.lab.", "A", PG_V4)
        self.add("policy-hosting.lab.", "A", POLICY_V4)
        self.add("bulk-policy.lab.", "A", BULK_POLICY_V4)
        self.imap_cert = self.pki.leaf("imap.lab", {}, ["imap.lab"])
        self.default_cert = self.pki.leaf("default.policy-hosting.lab", {}, ["policy-hosting.lab"])
        self.plan["infra"] = {"knot": KNOT_V4, "unbound": UNBOUND_V4, "imap": IMAP_V4, "pg": PG_V4,
                              "policy": POLICY_V4, "bulk_policy": BULK_POLICY_V4}

    # ------------------------------------------------ scenario domains
    def domain(self, scen, d):
        name = fqdn(d.get("domain") or d.get("name") or die(f"{scen['_file']}: domain without 'domain:'"))
        signing = d.get("signing", "signed")
        if signing not in SIGNINGS:
            die(f"{scen['_file']}: {name}: signing must be one of {SIGNINGS}")
        if name.count(".") < 2:
            die(f"{scen['_file']}: {name}: a scenario domain needs at least two labels")
        self.ensure_zone(name, signing, domain=d)
        opts = dnssec_options(d["dnssec"] if "dnssec" in d else scen.get("dnssec"), f"{scen['_file']}: {name}")
        if opts["denial"] == "nsec3" and signing in ("unsigned", "knot"):
            die(f"{scen['_file']}: {name}: 'dnssec:' needs a zone signed offline (signing is {signing})")
        self.zones[name]["dnssec"] = opts
        z = name
        pd = {"domain": bare(name), "file": os.path.relpath(scen["_file"], self.lab) if scen["_file"].startswith(self.lab) else scen["_file"],
              "scenario": scen.get("name") or os.path.splitext(os.path.basename(scen["_file"]))[0],
              "description": d.get("description", scen.get("description", "")),
              "signing": signing, "dnssec": opts, "check": "expect" in d, "expect": list(d.get("expect") or []),
              "mx": [], "hosts": {}}

        def host_fqdn(h):
            if h in ("@", ""):
                return name
            return fqdn(h) if h.endswith(".") else fqdn(f"{h}.{bare(name)}")

        # hosts (A/AAAA, certificates, SMTP listeners, TLSA)
        for hname, h in (d.get("hosts") or {}).items():
            h = h or {}
            hf = host_fqdn(hname)
            addrs = h.get("addresses", ["auto4"])
            if isinstance(addrs, str):
                addrs = [addrs]
            cert_spec = h.get("cert") or {}
            cert = self.pki.leaf(bare(hf), cert_spec, [bare(hf)])
            hplan = {"addresses": [], "cert": cert_spec, "tlsa": []}
            for a in addrs:
                a = {"ip": a} if isinstance(a, str) else dict(a)
                ip = a.get("ip", "auto4")
                if ip == "auto4":
                    ip = self.alloc.next4()
                elif ip == "auto6":
                    ip = self.alloc.next6()
                else:
                    try:
                        ipo = ipaddress.ip_address(ip)
                    except ValueError:
                        die(f"{scen['_file']}: {hf}: bad address {ip!r}")
                    if not (ipo in ipaddress.ip_network("127.0.0.0/8") or ipo in ipaddress.ip_network("fd00::/8")):
                        die(f"{scen['_file']}: {hf}: address {ip} is outside 127.0.0.0/8 and fd00::/8")
                    self.alloc.used.add(ip)
                v6 = ":" in ip
                (self.addresses6 if v6 else self.addresses).add(ip)
                self.add(hf, "AAAA" if v6 else "A", ip)
                smtp = dict(h.get("smtp") or {})
                smtp.update(a.get("smtp") or {})
                acert = cert
                if a.get("cert"):
                    acert = self.pki.leaf(f"{bare(hf)}@{ip}", a["cert"], [bare(hf)])
                beh = "normal"
                if smtp.get("tarpit"):
                    beh = "tarpit"
                elif smtp.get("drop-after-starttls"):
                    beh = "drop-after-starttls"
                elif smtp.get("listen") is False:
                    beh = "closed"
                elif smtp.get("starttls", True) is False:
                    beh = "no-starttls"
                if h.get("smtp") is not False:
                    if beh != "closed":
                        self.smtp.append({"ip": ip, "host": bare(hf), "behaviour": beh, "cert": acert,
                                          "mutable": signing == "knot"})
                        if signing == "knot":
                            hplan["tls_dir"] = os.path.join(self.run, "postfix", "tls", bare(hf))
                    aspec = a.get("cert") or cert_spec
                    hplan["addresses"].append({"ip": ip, "behaviour": beh, "cert": aspec,
                                               "cert_ok": self.cert_ok(aspec)})
                    self.plan["mx"].append({"domain": bare(name), "host": bare(hf), "ip": ip, "behaviour": beh,
                                            "cert": aspec, "cert_ok": self.cert_ok(aspec)})
            # TLSA
            dane = "none"
            for t in h.get("tlsa") or []:
                tt = {} if t == "auto" else {"from": t} if t in ("stale", "next") else t
                if isinstance(tt, str):
                    usage, src = int(tt.split()[0]), "literal"
                else:
                    src = tt.get("from", "host-cert")
                    usage = int(tt.get("usage", 2 if src in ("ca", "intermediate", "root") else 3))
                if usage in (2, 3):
                    if src not in ("stale", "previous-key"):
                        dane = "verified"
                    elif dane == "none":
                        dane = "fail"
            # "verified" is what a DANE client sees; with no listening address (smtp: {listen: false}) it sees nothing
            listening = any(a["behaviour"] != "closed" for a in hplan["addresses"])
            hplan["dane"] = dane if signing == "signed" and listening else "none"
            for t in h.get("tlsa") or []:
                rr = self.tlsa(hf, t, cert)
                port = 25
                self.add(f"_{port}._tcp.{hf}", "TLSA", rr)
                hplan["tlsa"].append(rr)
            pd["hosts"][bare(hf)] = hplan

        # MX
        mx = d.get("mx", [])
        if mx is None or mx == "null":
            self.add(name, "MX", "0 .")
            pd["mx"] = ["0 ."]
        else:
            for i, m in enumerate(mx):
                m = {"host": m} if isinstance(m, str) else m
                pref = m.get("pref", 10 * (i + 1))
                self.add(name, "MX", f"{pref} {host_fqdn(m['host'])}")
                pd["mx"].append(f"{pref} {bare(host_fqdn(m['host']))}")

        # MTA-STS
        sts = d.get("mta-sts")
        pd["mta_sts_query"] = "NONE"
        if sts is not None and sts is not False:
            sts = sts or {}
            txt = sts.get("txt", "auto")
            pol = sts.get("policy", {"mode": "enforce", "mx": [bare(host_fqdn(m["host"] if isinstance(m, dict) else m)) for m in (mx or [])]})
            ptext = policy_text(pol, name)
            pid = hashlib.sha256(ptext.encode()).hexdigest()[:20]
            txts = []
            if txt == "auto":
                txts = [f"v=STSv1; id={pid}"]
            elif isinstance(txt, list):
                txts = txt
            elif txt not in (None, "none", False):
                txts = [txt]
            for t in txts:
                self.add(f"_mta-sts.{name}", "TXT", txt_rdata(t))
            http = sts.get("http", {})
            if http is None:
                http = {}
            ph = {"host": f"mta-sts.{bare(name)}", "domain": bare(name), "policy": ptext, "http": http}
            if http is not False and sts.get("host", True) is not False:
                # clean policy hosts (a checked domain expecting no finding, default http behaviour, valid
                # certificate) are served by `mailtls serve` instead of nginx with --policy-host mailtls
                by_mailtls = (self.args.policy_host == "mailtls" and ("expect" in d and not d.get("expect") or signing == "knot")
                              and not http and signing not in BOGUS)
                ph["server"] = "mailtls" if by_mailtls else "nginx"
                self.add(f"mta-sts.{name}", "A", MAILTLS_POLICY_V4 if by_mailtls else POLICY_V4)
                if http.get("ipv6"):
                    self.add(f"mta-sts.{name}", "AAAA", POLICY_V6)
                ph["cert"] = self.pki.leaf(f"mta-sts.{bare(name)}", http.get("cert") or {}, [f"mta-sts.{bare(name)}"])
                self.policy_hosts.append(ph)
                entry = {"domain": bare(name), "host": ph["host"], "http": http, "signing": signing,
                         "policy": ptext, "cert_ok": self.cert_ok(http.get("cert") or {}), "server": ph["server"]}
                if signing == "knot":
                    # changed by the plan lab tests while the lab runs: not in "policy", which other tests read
                    entry["file"] = (os.path.join(self.run, "mailtls-serve", "policies", bare(name) + ".txt") if by_mailtls
                                     else os.path.join(self.run, "www", ph["host"], "mta-sts.txt"))
                    self.plan.setdefault("knot_policy", []).append(entry)
                else:
                    self.plan["policy"].append(entry)
            # expected mta-sts-query (1.1.2) result
            cand = [t for t in txts if t.startswith("v=STSv1")]
            exp = "NONE"
            if signing in BOGUS:
                exp = "FETCH_ERROR"
            elif len(cand) == 1 and "id=" in cand[0]:
                ok = (http is not False and http.get("status", 200) == 200 and not http.get("redirect")
                      and http.get("content-type", "text/plain").split(";")[0].strip() == "text/plain"
                      and not http.get("oversize") and not http.get("slow")
                      and self.cert_ok(http.get("cert") or {}) and lenient_policy_ok(ptext))
                exp = "VALID" if ok else "FETCH_ERROR"
            pd["mta_sts_query"] = (d.get("selftest") or {}).get("mta-sts-query", exp)
        elif signing in BOGUS:
            pd["mta_sts_query"] = "FETCH_ERROR"

        # TLS-RPT
        rpt = d.get("tls-rpt", "auto")
        if rpt == "auto":
            rpt = f"v=TLSRPTv1; rua=mailto:tlsrpt@reports.lab"
        if rpt not in (None, "none", False):
            for r in (rpt if isinstance(rpt, list) else [rpt]):
                self.add(f"_smtp._tls.{name}", "TXT", txt_rdata(r))

        # raw records
        for r in d.get("records") or []:
            parts = r.split(None, 1)
            owner = parts[0]
            rest = parts[1]
            if owner == "@":
                ow = name
            elif owner.endswith("."):
                ow = fqdn(owner)
            else:
                ow = fqdn(f"{owner}.{bare(name)}")
            self.zones[self.zone_for(ow)]["records"].append(f"{ow} 300 IN {rest}")
        self.plan["domains"].append(pd)

    def cert_ok(self, spec):
        spec = spec or {}
        return not any(spec.get(k) for k in ("expired", "not-yet-valid", "self-signed", "wrong-name", "untrusted")) \
            and spec.get("ca") != "untrusted" and not spec.get("san")

    def tlsa(self, hf, t, cert):
        if isinstance(t, str) and t != "auto" and t not in ("stale", "next"):
            return t  # literal "3 1 1 <hex>"
        if t == "auto":
            t = {}
        elif t in ("stale", "next"):
            t = {"from": t}
        src = t.get("from", "host-cert")
        usage = int(t.get("usage", 2 if src in ("ca", "intermediate", "root") else 3))
        sel = int(t.get("selector", 1))
        mt = int(t.get("matching", 1))
        if src in ("host-cert", "cert"):
            return tlsa_data(usage, sel, mt, cert=cert["cert"])
        if src in ("stale", "previous-key", "next", "next-key"):
            kname = bare(hf) + (".stale" if src in ("stale", "previous-key") else ".next")
            k = self.pki.key(kname, cert["spec"].get("key", "ecdsa"))
            return tlsa_data(usage, 1, mt, pub=k.public_key())
        if src in ("ca", "intermediate"):
            return tlsa_data(usage, sel, mt, cert=self.pki.inter)
        if src == "root":
            return tlsa_data(usage, sel, mt, cert=self.pki.root)
        die(f"unknown TLSA source {src!r}")

    # ------------------------------------------------ bulk
    def bulk(self, n):
        if n <= 0:
            return
        rnd = random.Random(4242)
        bdir = os.path.join(self.run, "bulk")
        shutil.rmtree(bdir, ignore_errors=True)
        os.makedirs(os.path.join(bdir, "certs"))
        os.makedirs(os.path.join(bdir, "www"))
        key = self.pki.key("bulk-policy-hosts", "ecdsa")
        keypem = os.path.join(bdir, "policy.key")
        with open(keypem, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        inter_pem = self.pki.inter.public_bytes(serialization.Encoding.PEM)
        hosters = [("hoster-a.lab", ["mx1.hoster-a.lab", "mx2.hoster-a.lab"], "*.hoster-a.lab", 0.45),
                   ("hoster-b.lab", ["mx.hoster-b.lab"], "mx.hoster-b.lab", 0.30),
                   ("hoster-c.lab", ["mx1.hoster-c.lab"], "*.hoster-c.lab", 0.15),
                   ("hoster-d.lab", ["smtp.hoster-d.lab"], "smtp.hoster-d.lab", 0.10)]
        recs = []
        lst = []
        tsv = []
        pub = key.public_key()
        subj_tmpl = None
        nb, na = NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=90)
        for i in range(1, n + 1):
            d = f"d{i:06d}.bulk"
            r = rnd.random()
            acc = 0
            for hname, mxs, pattern, share in hosters:
                acc += share
                if r < acc:
                    break
            for j, m in enumerate(mxs):
                recs.append(f"{d}. 300 IN MX {10 * (j + 1)} {m}.")
            c = rnd.random()
            # realistic share: 55% no MTA-STS, 15% testing, 22% enforce, 8% broken
            cls = ("none" if c < 0.55 else "testing" if c < 0.70 else "enforce" if c < 0.92 else
                   "policy-404" if c < 0.94 else "mx-not-covered" if c < 0.96 else
                   "txt-syntax" if c < 0.98 else "null-mx")
            expect = []
            if cls == "null-mx":
                recs = [x for x in recs if not x.startswith(f"{d}. ")]
                recs.append(f"{d}. 300 IN MX 0 .")
                expect = ["mx.null"]
            if cls not in ("none", "null-mx"):
                txt = f"v=STSv1; id={i}x1" if cls != "txt-syntax" else f"v=STSv1; id={i}x1;; bogus"
                recs.append(f"_mta-sts.{d}. 300 IN TXT \"{txt}\"")
                recs.append(f"mta-sts.{d}. 300 IN A {BULK_POLICY_V4}")
                host = f"mta-sts.{d}"
                cert = (x509.CertificateBuilder()
                        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
                        .issuer_name(self.pki.inter.subject).public_key(pub)
                        .serial_number(x509.random_serial_number())
                        .not_valid_before(nb).not_valid_after(na)
                        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), False)
                        .sign(self.pki.int_key, hashes.SHA256()))
                with open(os.path.join(bdir, "certs", host + ".crt"), "wb") as f:
                    f.write(cert.public_bytes(serialization.Encoding.PEM) + inter_pem)
                if cls != "policy-404":
                    mode = "testing" if cls == "testing" else "enforce"
                    pat = pattern if cls != "mx-not-covered" else "mx.other-hoster.lab"
                    with open(os.path.join(bdir, "www", host + ".txt"), "w") as f:
                        f.write(f"version: STSv1\r\nmode: {mode}\r\nmx: {pat}\r\nmax_age: 86400\r\n")
                expect = {"testing": [], "enforce": [], "policy-404": ["sts.policy.http-status"],
                          "mx-not-covered": ["sts.mx.not-covered"],
                          "txt-syntax": ["sts.txt.invalid"]}[cls]
            if rnd.random() < 0.4:
                recs.append(f"_smtp._tls.{d}. 300 IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@reports.lab\"")
            elif cls in ("testing", "enforce", "mx-not-covered"):
                expect = expect + ["tlsrpt.record.none"]
            lst.append(d)
            tsv.append(f"{d}\t{hname}\t{cls}\t{','.join(expect)}")
        self.zones["bulk."]["records"].extend(recs)
        with open(os.path.join(self.run, "bulk-domains.txt"), "w") as f:
            f.write("\n".join(lst) + "\n")
        with open(os.path.join(self.run, "bulk-domains.tsv"), "w") as f:
            f.write("# domain\thoster\tclass\texpect\n" + "\n".join(tsv) + "\n")
        self.plan["bulk"] = n

    # ------------------------------------------------ DNS output
    def write_zones(self):
        zdir = os.path.join(self.run, "zones")
        kdir = os.path.join(self.run, "pki", "dnskeys")   # cached across repeated ups
        shutil.rmtree(zdir, ignore_errors=True)
        os.makedirs(zdir)
        os.makedirs(kdir, exist_ok=True)
        serial = int(time.time())

        def keyfor(zone, tag):
            base = os.path.join(kdir, f"{'root' if zone == '.' else bare(zone)}.{tag}")
            if not os.path.exists(base + ".private"):
                out = subprocess.run(["ldns-keygen", "-a", "ECDSAP256SHA256", "-k", zone], cwd=kdir,
                                     check=True, capture_output=True, text=True).stdout.strip()
                for ext in ("key", "private", "ds"):
                    os.replace(os.path.join(kdir, f"{out}.{ext}"), f"{base}.{ext}")
            return base

        def ds_of(base):
            with open(base + ".key") as f:
                line = [l for l in f if "DNSKEY" in l][0]
            p = line.split(";")[0].split()
            i = p.index("DNSKEY")
            owner = p[0].lower()
            flags, proto, alg = int(p[i + 1]), int(p[i + 2]), int(p[i + 3])
            keydata = base64.b64decode("".join(p[i + 4:]))
            rdata = flags.to_bytes(2, "big") + bytes([proto, alg]) + keydata
            wire = b"".join(len(l).to_bytes(1, "big") + l.encode() for l in owner.rstrip(".").split(".") if l) + b"\0"
            ac = 0
            for j, b in enumerate(rdata):
                ac += b if j & 1 else b << 8
            ac += (ac >> 16) & 0xFFFF
            tag = ac & 0xFFFF
            digest = hashlib.sha256(wire + rdata).hexdigest().upper()
            return f"{tag} {alg} 2 {digest}", f"{flags} {proto} {alg} {''.join(p[i + 4:])}"

        keys = {}
        for z, zd in self.zones.items():
            if zd["signing"] != "unsigned":
                keys[z] = keyfor(z, "ksk")
        # delegations + DS in parents
        for z, zd in self.zones.items():
            if z == ".":
                continue
            parent = z.split(".", 1)[1] or "."
            self.zones[parent]["records"].append(f"{z} 300 IN NS {NS_NAME}")
            sg = zd["signing"]
            if sg in ("signed", "expired-rrsig", "knot"):
                self.zones[parent]["records"].append(f"{z} 300 IN DS {ds_of(keys[z])[0]}")
            elif sg == "ds-mismatch":
                self.zones[parent]["records"].append(f"{z} 300 IN DS {ds_of(keyfor(z, 'decoy'))[0]}")
        # root anchor
        rds, rkey = ds_of(keys["."])
        with open(os.path.join(self.run, "root.key"), "w") as f:
            f.write(f". IN DS {rds}\n")
        with open(os.path.join(self.run, "root-anchor.conf"), "w") as f:
            p = rkey.split()
            b64 = "".join(p[3:])
            f.write(f'trust-anchors {{\n  . static-key {p[0]} {p[1]} {p[2]} "{b64}";\n}};\n')
        with open(os.path.join(self.run, "root.hints"), "w") as f:
            f.write(f". 3600000 IN NS {NS_NAME}\n{NS_NAME} 3600000 IN A {KNOT_V4}\n")

        jobs = []
        for z, zd in self.zones.items():
            fname = "root" if z == "." else bare(z)
            path = os.path.join(zdir, fname + ".zone")
            with open(path, "w") as f:
                f.write(f"$ORIGIN {z}\n$TTL 300\n{z} 300 IN SOA {NS_NAME} hostmaster.lab. {serial} 3600 600 86400 60\n")
                f.write(f"{z} 300 IN NS {NS_NAME}\n")
                if z == ".":
                    f.write(f"{NS_NAME} 300 IN A {KNOT_V4}\n")
                f.write("\n".join(zd["records"]) + "\n")
            sg = zd["signing"]
            if sg == "unsigned":
                os.replace(path, path + ".signed")
                continue
            if sg == "knot":
                self.plan["zones"][bare(z) or "."] = "knot"
                continue  # Knot signs it itself (and re-signs after each dynamic update)
            cmd = ["ldns-signzone", "-f", path + ".signed"]
            if sg == "expired-rrsig":
                cmd += ["-i", "20200101000000", "-e", "20200201000000"]
            else:
                cmd += ["-i", (NOW - dt.timedelta(days=1)).strftime("%Y%m%d%H%M%S"),
                        "-e", (NOW + dt.timedelta(days=60)).strftime("%Y%m%d%H%M%S")]
            opts = zd.get("dnssec") or dnssec_options(None, z)
            if opts["denial"] == "nsec3":
                cmd += ["-n", "-t", str(opts["iterations"])]
                if opts["salt"]:
                    cmd += ["-s", opts["salt"]]
                if opts["opt-out"]:
                    cmd += ["-p"]
            cmd += ["-o", z, path, keys[z]]
            jobs.append((z, cmd))
            self.plan["zones"][bare(z) or "."] = sg
            self.plan["denial"][bare(z) or "."] = opts
        for z, zd in self.zones.items():
            if zd["signing"] == "unsigned":
                self.plan["zones"][bare(z) or "."] = "unsigned"
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
            futs = {ex.submit(subprocess.run, cmd, capture_output=True, text=True): z for z, cmd in jobs}
            for fu in futs:
                r = fu.result()
                if r.returncode != 0:
                    die(f"ldns-signzone failed for {futs[fu]}: {r.stderr.strip()}")
        for z, zd in self.zones.items():
            if (zd.get("dnssec") or {}).get("opt-out"):
                fname = "root" if z == "." else bare(z)
                nsec3_opt_out_spans(os.path.join(zdir, fname + ".zone.signed"), z, keys[z] + ".private")
        # knot config
        kconf = os.path.join(self.run, "knot", "knot.conf")
        os.makedirs(os.path.dirname(kconf), exist_ok=True)
        with open(kconf, "w") as f:
            f.write(f"""server:
    rundir: "{self.run}/knot"
    pidfile: "{self.run}/knot/knot.pid"
    listen: {KNOT_V4}@53
log:
  - target: "{self.run}/knot/knot.log"
    any: warning
database:
    storage: "{self.run}/knot/db"
{self.knot_tsig_conf()}template:
  - id: default
    storage: "{zdir}"
    semantic-checks: off
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    dnssec-signing: off
zone:
""")
            for z in self.zones:
                fname = "root" if z == "." else bare(z)
                if self.zones[z]["signing"] == "knot":
                    f.write(f'  - domain: "{z}"\n    file: "{fname}.zone"\n    dnssec-signing: on\n'
                            f'    dnssec-policy: lab-imported\n    acl: lab-update\n')
                else:
                    f.write(f'  - domain: "{z}"\n    file: "{fname}.zone.signed"\n')
        # Knot signs the knot zones with the cached ldns key (its DS is already in the parent): import it
        os.makedirs(os.path.join(self.run, "knot", "db"), exist_ok=True)
        for z, zd in self.zones.items():
            if zd["signing"] != "knot":
                continue
            r = subprocess.run(["keymgr", "-c", kconf, z, "import-bind", keys[z] + ".key"], capture_output=True, text=True)
            tag = ds_of(keys[z])[0].split()[0]
            r2 = subprocess.run(["keymgr", "-c", kconf, z, "set", tag, "zsk=yes"], capture_output=True, text=True) if r.returncode == 0 else r
            if r.returncode != 0 or r2.returncode != 0:
                die(f"keymgr could not import the key of {z}: {(r.stderr or r2.stderr).strip()}")

    # ------------------------------------------------ TSIG key for dynamic updates (signing: knot)
    def knot_tsig_conf(self):
        """Knot key/acl/policy sections; writes the key for clients to /run/mailtls-lab/tsig/ (secret cached in pki/)."""
        if not any(zd["signing"] == "knot" for zd in self.zones.values()):
            return ""
        cache = os.path.join(self.run, "pki", "tsig")
        os.makedirs(cache, exist_ok=True)
        secret_file = os.path.join(cache, TSIG_KEY_NAME + ".secret")
        if not os.path.exists(secret_file):
            with open(secret_file, "w") as f:
                f.write(base64.b64encode(os.urandom(32)).decode() + "\n")
        secret = open(secret_file).read().strip()
        out = os.path.join(self.run, "tsig")
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, TSIG_KEY_NAME + ".key"), "w") as f:   # BIND form: nsupdate -k, mailtls --tsig-key
            f.write(f'key "{TSIG_KEY_NAME}" {{\n\talgorithm hmac-sha256;\n\tsecret "{secret}";\n}};\n')
        with open(os.path.join(out, TSIG_KEY_NAME + ".knot"), "w") as f:  # Knot form (keymgr -t)
            f.write(f"key:\n  - id: {TSIG_KEY_NAME}\n    algorithm: hmac-sha256\n    secret: {secret}\n")
        with open(os.path.join(out, TSIG_KEY_NAME + ".y"), "w") as f:     # knsupdate -y / nsupdate -y
            f.write(f"hmac-sha256:{TSIG_KEY_NAME}:{secret}\n")
        self.plan["tsig"] = {"name": TSIG_KEY_NAME, "algorithm": "hmac-sha256", "file": os.path.join(out, TSIG_KEY_NAME + ".key"),
                             "y": os.path.join(out, TSIG_KEY_NAME + ".y"), "server": KNOT_V4}
        return f"""key:
  - id: {TSIG_KEY_NAME}
    algorithm: hmac-sha256
    secret: {secret}
acl:
  - id: lab-update
    key: {TSIG_KEY_NAME}
    action: update
policy:
  - id: lab-imported
    algorithm: ecdsap256sha256
    manual: on
    single-type-signing: on
    cds-cdnskey-publish: none
"""

    # ------------------------------------------------ unbound
    def write_unbound(self):
        d = os.path.join(self.run, "unbound")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "unbound.conf"), "w") as f:
            f.write(f"""server:
    interface: {UNBOUND_V4}
    port: 53
    do-ip6: no
    do-daemonize: yes
    pidfile: "{d}/unbound.pid"
    username: ""
    chroot: ""
    directory: "{d}"
    logfile: "{d}/unbound.log"
    use-syslog: no
    verbosity: 1
    val-log-level: 2
    num-threads: 2
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    root-hints: "{self.run}/root.hints"
    trust-anchor-file: "{self.run}/root.key"
    module-config: "validator iterator"
    cache-max-ttl: 300
    cache-max-negative-ttl: 10
    infra-host-ttl: 60
    harden-glue: yes
    minimal-responses: no
    so-reuseport: yes
    outgoing-range: 512
    num-queries-per-thread: 256
remote-control:
    control-enable: no
""")

    # ------------------------------------------------ mailtls serve (lab/up --policy-host mailtls)
    def write_mailtls_serve(self):
        hosts = [ph for ph in self.policy_hosts if ph.get("server") == "mailtls"]
        if self.args.policy_host != "mailtls":
            return
        d = os.path.join(self.run, "mailtls-serve")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(os.path.join(d, "policies"))
        self.addresses.add(MAILTLS_POLICY_V4)
        self.plan["infra"]["mailtls_policy"] = MAILTLS_POLICY_V4
        domains, certs = [], os.path.join(d, "certs")
        for ph in hosts:
            with open(os.path.join(d, "policies", ph["domain"] + ".txt"), "w", newline="") as f:
                f.write(ph["policy"])
            cd = os.path.join(certs, ph["host"])  # certbot layout: live/<name>/fullchain.pem + privkey.pem
            os.makedirs(cd)
            shutil.copyfile(ph["cert"]["chain"], os.path.join(cd, "fullchain.pem"))
            shutil.copyfile(ph["cert"]["keyfile"], os.path.join(cd, "privkey.pem"))
            domains.append(f"  - {{domain: {ph['domain']}, policy_file: policies/{ph['domain']}.txt}}")
        with open(os.path.join(d, "serve.yaml"), "w") as f:
            f.write(f"""# generated by lab/up --policy-host mailtls: the clean scenario policy hosts
listeners: [{{address: {MAILTLS_POLICY_V4}, port: 443, tls: true}}]
admin: {{address: {MAILTLS_POLICY_V4}, port: 9461}}
domains:
{chr(10).join(domains) if domains else "  []"}
certificates: [{{directory: certs}}]
self_check: {{resolver: ["{UNBOUND_V4}"], interval_seconds: 3600}}
state_file: state/ids.json
log_format: json
""")

    # ------------------------------------------------ nginx
    def write_nginx(self):
        d = os.path.join(self.run, "nginx")
        www = os.path.join(self.run, "www")
        shutil.rmtree(www, ignore_errors=True)
        os.makedirs(d, exist_ok=True)
        os.makedirs(www)
        servers = []
        for ph in self.policy_hosts:
            host, http = ph["host"], ph["http"]
            hd = os.path.join(www, host)
            os.makedirs(hd)
            body = ph["policy"]
            if http.get("oversize"):
                pad = "x-padding: " + "a" * 1000 + "\r\n"
                body = body + pad * (int(http.get("oversize") if not isinstance(http.get("oversize"), bool) else 70))
            with open(os.path.join(hd, "mta-sts.txt"), "w", newline="") as f:
                f.write(body)
            with open(os.path.join(hd, "moved.txt"), "w", newline="") as f:
                f.write(ph["policy"])
            ctype = http.get("content-type", "text/plain")
            loc = [f"types {{ }}", f"default_type \"{ctype}\";"]
            if http.get("redirect"):
                rd = http["redirect"]
                rd = rd if isinstance(rd, dict) else {"code": 301}
                to = rd.get("to", f"https://{host}/moved.txt")
                loc = [f"return {rd.get('code', 301)} {to};"]
            elif http.get("status", 200) != 200:
                loc = [f"return {http['status']};"]
            else:
                loc.append(f"try_files /mta-sts.txt =404;")
            if http.get("slow"):
                rate = http["slow"] if not isinstance(http["slow"], bool) else 16
                loc.append(f"limit_rate {rate};")
                loc.append("sendfile off;")
            listen = f"listen {POLICY_V4}:443 ssl;"
            if http.get("ipv6"):
                listen += f"\n    listen [{POLICY_V6}]:443 ssl;"
            servers.append(f"""server {{
    {listen}
    server_name {host};
    ssl_certificate {ph['cert']['chain']};
    ssl_certificate_key {ph['cert']['keyfile']};
    root {hd};
    location = /.well-known/mta-sts.txt {{ {' '.join(loc)} }}
    location = /moved.txt {{ types {{ }} default_type text/plain; }}
    location / {{ return 404; }}
}}""")
        bulk = ""
        if self.plan.get("bulk"):
            bd = os.path.join(self.run, "bulk")
            bulk = f"""server {{
    listen {BULK_POLICY_V4}:443 ssl default_server;
    server_name _;
    ssl_certificate {bd}/certs/$ssl_server_name.crt;
    ssl_certificate_key {bd}/policy.key;
    root {bd}/www;
    location = /.well-known/mta-sts.txt {{ types {{ }} default_type text/plain; try_files /$host.txt =404; }}
    location / {{ return 404; }}
}}"""
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(f"""user root;
worker_processes 2;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/tmp-body;
    proxy_temp_path {d}/tmp-proxy;
    fastcgi_temp_path {d}/tmp-fcgi;
    uwsgi_temp_path {d}/tmp-uwsgi;
    scgi_temp_path {d}/tmp-scgi;
    server_names_hash_bucket_size 128;
    server_names_hash_max_size 65536;
    sendfile on;
    keepalive_timeout 10;
    server {{
        listen {POLICY_V4}:443 ssl default_server;
        listen [{POLICY_V6}]:443 ssl default_server;
        server_name _;
        ssl_certificate {self.default_cert['chain']};
        ssl_certificate_key {self.default_cert['keyfile']};
        return 404;
    }}
{chr(10).join(servers)}
{bulk}
}}
""")

    # ------------------------------------------------ postfix
    def write_postfix(self):
        d = os.path.join(self.run, "postfix")
        os.makedirs(d, exist_ok=True)
        bindir = os.path.join(self.run, "bin")
        os.makedirs(bindir, exist_ok=True)
        shutil.copy(os.path.join(self.lab, "lib", "smtp_drop.py"), os.path.join(bindir, "smtp_drop.py"))
        os.chmod(os.path.join(bindir, "smtp_drop.py"), 0o755)
        with open(os.path.join(d, "main.cf"), "w") as f:
            f.write(f"""compatibility_level = 3.6
queue_directory = {d}/queue
data_directory = {d}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = smtp.lab
mydomain = lab
myorigin = lab
inet_interfaces = all
inet_protocols = all
mydestination =
relay_domains =
mynetworks =
relayhost =
# Every recipient is rejected except lab-sink@ANY-DOMAIN, which is accepted and discarded: the delivery matrix of
# `mailtls resolver` (a sending Postfix in the namespace) observes delivery without any mail leaving this instance.
default_transport = discard:the mailtls lab sink
relay_transport = error:the mailtls lab never relays
local_transport = error:the mailtls lab never delivers
smtpd_relay_restrictions = check_recipient_access inline:{{ lab-sink@=OK }}, reject
smtpd_recipient_restrictions = check_recipient_access inline:{{ lab-sink@=OK }}, reject
smtpd_client_restrictions =
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_tls_received_header = no
smtpd_peername_lookup = no
maillog_file_prefixes = {d}
maillog_file = {d}/maillog
biff = no
append_dot_mydomain = no
""")
        lines = ["postlog   unix-dgram n  -       n       -       1       postlogd"]
        for svc in ["cleanup unix n - n - 0 cleanup", "qmgr unix n - n 300 1 qmgr",
                    "tlsmgr unix - - n 1000? 1 tlsmgr", "rewrite unix - - n - - trivial-rewrite",
                    "bounce unix - - n - 0 bounce", "defer unix - - n - 0 bounce",
                    "trace unix - - n - 0 bounce", "verify unix - - n - 1 verify",
                    "flush unix n - n 1000? 0 flush", "proxymap unix - - n - - proxymap",
                    "smtp unix - - n - - smtp", "relay unix - - n - - smtp",
                    "showq unix n - n - - showq", "error unix - - n - - error",
                    "retry unix - - n - - error", "discard unix - - n - - discard",
                    "anvil unix - - n - 1 anvil", "scache unix - - n - 1 scache"]:
            lines.append(svc)
        for l in self.smtp:
            ip = l["ip"]
            addr = f"[{ip}]:25" if ":" in ip else f"{ip}:25"
            if l["behaviour"] == "tarpit":
                lines.append(f"{addr} inet n n n - - spawn user=nobody argv=/bin/sleep 3600")
                continue
            if l["behaviour"] == "drop-after-starttls":
                lines.append(f"{addr} inet n n n - - spawn user=nobody argv={bindir}/smtp_drop.py {l['host']}")
                continue
            lines.append(f"{addr} inet n - n - - smtpd")
            lines.append(f"  -o syslog_name=postfix/{l['host']}")
            lines.append(f"  -o myhostname={l['host']}")
            if l["behaviour"] == "no-starttls":
                lines.append("  -o smtpd_tls_security_level=none")
            else:
                chain, keyfile = l['cert']['chain'], l['cert']['keyfile']
                if l.get("mutable"):
                    # signing: knot hosts: a copy that the plan lab tests may replace (then `postfix reload`)
                    td = os.path.join(d, "tls", l["host"])
                    os.makedirs(td, exist_ok=True)
                    shutil.copyfile(chain, os.path.join(td, "fullchain.pem"))
                    shutil.copyfile(keyfile, os.path.join(td, "privkey.pem"))
                    os.chmod(os.path.join(td, "privkey.pem"), 0o600)
                    chain, keyfile = os.path.join(td, "fullchain.pem"), os.path.join(td, "privkey.pem")
                lines.append(f"  -o smtpd_tls_cert_file={chain}")
                lines.append(f"  -o smtpd_tls_key_file={keyfile}")
        with open(os.path.join(d, "master.cf"), "w") as f:
            f.write("\n".join(lines) + "\n")

    # ------------------------------------------------ dovecot + mailbox
    def write_dovecot(self, eml_dir):
        d = os.path.join(self.run, "dovecot")
        os.makedirs(os.path.join(d, "base"), exist_ok=True)
        os.makedirs(os.path.join(d, "state"), exist_ok=True)
        pwfile = os.path.join(self.run, "imap-password")
        if not os.path.exists(pwfile):
            with open(pwfile, "w") as f:
                f.write(base64.b32encode(os.urandom(10)).decode().lower() + "\n")
        with open(pwfile) as f:
            pw = f.read().strip()
        with open(os.path.join(d, "passwd"), "w") as f:
            f.write(f"tlsrpt:{{PLAIN}}{pw}::::::\n")
        dh = "ssl_dh = </usr/share/dovecot/dh.pem" if os.path.exists("/usr/share/dovecot/dh.pem") else ""
        maildir = os.path.join(self.run, "mail")
        with open(os.path.join(d, "dovecot.conf"), "w") as f:
            f.write(f"""base_dir = {d}/base
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = {IMAP_V4}
ssl = yes
ssl_cert = <{self.imap_cert['chain']}
ssl_key = <{self.imap_cert['keyfile']}
{dh}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 8
mail_location = maildir:{maildir}/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={maildir}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = {IMAP_V4}
    port = 143
  }}
  inet_listener imaps {{
    address = {IMAP_V4}
    port = 993
    ssl = yes
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
        # mailbox
        mb = os.path.join(maildir, "tlsrpt", "Maildir")
        shutil.rmtree(os.path.join(maildir, "tlsrpt"), ignore_errors=True)
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(mb, sub))
        count = 0
        for src in sorted(glob.glob(os.path.join(eml_dir, "*.eml"))):
            count += 1
            shutil.copy(src, os.path.join(mb, "new", f"{1700000000 + count}.M{count}P1.lab"))
        gen = 0
        for pd in self.plan["domains"][:8]:
            gen += 1
            count += 1
            msg = tlsrpt_mail(pd["domain"], gen)
            with open(os.path.join(mb, "new", f"{1700000000 + count}.M{count}P2.lab"), "wb") as f:
                f.write(msg)
        for root, dirs, files in os.walk(os.path.join(maildir)):
            for n in dirs + files:
                os.chown(os.path.join(root, n), 8, 8)
        os.chown(maildir, 8, 8)
        self.plan["imap"] = {"user": "tlsrpt", "password_file": pwfile, "messages": count,
                             "generated": gen, "samples": count - gen}

    # ------------------------------------------------ output
    def write_plan(self):
        self.plan["addresses"] = sorted(self.addresses)
        self.plan["addresses6"] = sorted(self.addresses6)
        with open(os.path.join(self.run, "plan.json"), "w") as f:
            json.dump(self.plan, f, indent=1, default=str)
        with open(os.path.join(self.run, "addresses"), "w") as f:
            for a in sorted(self.addresses):
                f.write(f"{a}/32\n")
            for a in sorted(self.addresses6):
                f.write(f"{a}/128\n")
        with open(os.path.join(self.run, "domains.txt"), "w") as f:
            for pd in self.plan["domains"]:
                f.write(f"{pd['domain']}\t{pd['scenario']}\t{','.join(pd['expect'])}\n")


# ---------------------------------------------------------------- NSEC3 options and opt-out spans
def dnssec_options(spec, where):
    """Per-domain (or per-scenario) `dnssec:` block: how the zone proves non-existence."""
    if spec is None:
        return {"denial": "nsec", "opt-out": False, "iterations": 0, "salt": ""}
    if not isinstance(spec, dict) or set(spec) - set(DNSSEC_KEYS):
        die(f"{where}: dnssec must be a map with keys {DNSSEC_KEYS}")
    denial = spec.get("denial", "nsec")
    if denial not in ("nsec", "nsec3"):
        die(f"{where}: dnssec.denial must be nsec or nsec3")
    opt_out = spec.get("opt-out", False)
    iterations = spec.get("iterations", 0)
    salt = str(spec.get("salt") or "").lower()
    if not isinstance(opt_out, bool):
        die(f"{where}: dnssec.opt-out must be true or false")
    if not isinstance(iterations, int) or not 0 <= iterations <= 500:
        die(f"{where}: dnssec.iterations must be an integer 0..500 (RFC 9276 recommends 0)")
    if salt in ("-",):
        salt = ""
    if any(c not in "0123456789abcdef" for c in salt) or len(salt) % 2 or len(salt) > 510:
        die(f"{where}: dnssec.salt must be hex (at most 255 bytes), \"\" for none")
    if denial == "nsec" and (opt_out or iterations or salt):
        die(f"{where}: dnssec.opt-out, iterations and salt need denial: nsec3")
    return {"denial": denial, "opt-out": opt_out, "iterations": iterations, "salt": salt}


RRTYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28, "DS": 43, "RRSIG": 46,
           "NSEC": 47, "DNSKEY": 48, "NSEC3": 50, "NSEC3PARAM": 51, "TLSA": 52, "CAA": 257}


def name_wire(name):
    return b"".join(len(l).to_bytes(1, "big") + l.encode() for l in fqdn(name).rstrip(".").split(".") if l) + b"\0"


def nsec3_hash(name, salt_hex, iterations):
    salt = bytes.fromhex(salt_hex)
    h = hashlib.sha1(name_wire(name) + salt).digest()
    for _ in range(iterations):
        h = hashlib.sha1(h + salt).digest()
    return base64.b32encode(h).decode().translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
                                                                "0123456789abcdefghijklmnopqrstuv"))


def b32hex_decode(text):
    return base64.b32decode(text.upper().translate(str.maketrans("0123456789ABCDEFGHIJKLMNOPQRSTUV",
                                                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")))


def type_bitmap(types):
    windows = {}
    for t in types:
        n = RRTYPES.get(t) or (int(t[4:]) if t.startswith("TYPE") else die(f"unknown type {t} in an NSEC3 bitmap"))
        w = windows.setdefault(n >> 8, bytearray(32))
        w[(n & 0xFF) >> 3] |= 0x80 >> (n & 7)
    out = b""
    for w in sorted(windows):
        bm = bytes(windows[w]).rstrip(b"\0")
        out += bytes([w, len(bm)]) + bm
    return out


def nsec3_opt_out_spans(path, zone, private_key_file):
    """ldns-signzone -p sets the opt-out flag but still gives every insecure delegation its own NSEC3 record.
    RFC 5155 §6: with opt-out, an insecure delegation need not have one. Remove those records (NSEC3 whose
    bitmap is only NS, at the hash of an NS-without-DS owner) so the delegation really lies inside an opt-out
    span, re-link the chain and re-sign the changed NSEC3 RRsets (ECDSA P-256, the zone's only key)."""
    with open(path) as f:
        lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith(";")]
    types = {}
    for l in lines:
        p = l.split()
        types.setdefault(p[0].lower(), set()).add(p[3])
    insecure = [o for o, ts in types.items() if o != zone and "NS" in ts and "DS" not in ts]
    param = next(l.split() for l in lines if l.split()[3] == "NSEC3PARAM")
    iterations, salt = int(param[6]), ("" if param[7] == "-" else param[7].lower())
    nsec3 = {}  # hash -> index of the NSEC3 line
    for i, l in enumerate(lines):
        p = l.split()
        if p[3] == "NSEC3":
            nsec3[p[0].split(".", 1)[0].lower()] = i
    drop, changed = set(), set()
    for owner in insecure:
        h = nsec3_hash(owner, salt, iterations)
        if h not in nsec3 or lines[nsec3[h]].split()[9:] != ["NS"]:
            continue
        nxt = lines[nsec3[h]].split()[8].lower()
        prev = next(k for k, i in nsec3.items() if lines[i].split()[8].lower() == h and k != h)
        p = lines[nsec3[prev]].split()
        p[8] = nxt
        lines[nsec3[prev]] = "\t".join(p[:4]) + "\t" + " ".join(p[4:])
        drop.add(h)
        changed.discard(h)
        changed.add(prev)
        del nsec3[h]
    if not drop:
        return
    with open(private_key_file) as f:
        priv = next(l.split(":", 1)[1].strip() for l in f if l.startswith("PrivateKey:"))
    key = ec.derive_private_key(int.from_bytes(base64.b64decode(priv), "big"), ec.SECP256R1())
    out = []
    for l in lines:
        p = l.split()
        label = p[0].split(".", 1)[0].lower()
        if label in drop and p[3] in ("NSEC3", "RRSIG") and (p[3] == "NSEC3" or p[4] == "NSEC3"):
            continue
        if label in changed and p[3] == "RRSIG" and p[4] == "NSEC3":
            nl = lines[nsec3[label]].split()
            rdata = (bytes([int(nl[4]), int(nl[5])]) + int(nl[6]).to_bytes(2, "big")
                     + (bytes([len(salt) // 2]) + bytes.fromhex(salt))
                     + bytes([20]) + b32hex_decode(nl[8]) + type_bitmap(nl[9:]))
            ts = lambda t: int(dt.datetime.strptime(t, "%Y%m%d%H%M%S").replace(tzinfo=dt.timezone.utc).timestamp())
            alg, labels, ottl, exp, inc, tag, signer = int(p[5]), int(p[6]), int(p[7]), ts(p[8]), ts(p[9]), int(p[10]), p[11]
            if alg != 13:
                die(f"{zone}: opt-out re-signing supports algorithm 13 only")
            head = (RRTYPES["NSEC3"].to_bytes(2, "big") + bytes([alg, labels]) + ottl.to_bytes(4, "big")
                    + exp.to_bytes(4, "big") + inc.to_bytes(4, "big") + tag.to_bytes(2, "big") + name_wire(signer))
            rr = (name_wire(nl[0]) + RRTYPES["NSEC3"].to_bytes(2, "big") + (1).to_bytes(2, "big")
                  + ottl.to_bytes(4, "big") + len(rdata).to_bytes(2, "big") + rdata)
            r, s = decode_dss_signature(key.sign(head + rr, ec.ECDSA(hashes.SHA256())))
            sig = base64.b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode()
            l = "\t".join(p[:4]) + "\t" + " ".join(p[4:12] + [sig])
        out.append(l)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def txt_rdata(s):
    s = str(s)
    chunks = [s[i:i + 255] for i in range(0, len(s), 255)] or [""]
    return " ".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)


def tlsrpt_mail(domain, n):
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(days=n)
    end = start + dt.timedelta(seconds=86399)
    rid = f"{start:%Y-%m-%dT%H:%M:%SZ}_{domain}"
    report = {
        "organization-name": "mailtls lab reporter",
        "date-range": {"start-datetime": f"{start:%Y-%m-%dT%H:%M:%SZ}", "end-datetime": f"{end:%Y-%m-%dT%H:%M:%SZ}"},
        "contact-info": "reports@reporter.lab",
        "report-id": rid,
        "policies": [{
            "policy": {"policy-type": "sts", "policy-string": ["version: STSv1", "mode: enforce", f"mx: mx1.{domain}", "max_age: 86400"],
                       "policy-domain": domain, "mx-host": [f"mx1.{domain}"]},
            "summary": {"total-successful-session-count": 100 + n, "total-failure-session-count": n % 3},
            "failure-details": ([] if n % 3 == 0 else [{
                "result-type": "certificate-expired", "sending-mta-ip": "127.99.0.1",
                "receiving-mx-hostname": f"mx1.{domain}", "receiving-ip": "127.25.0.1",
                "failed-session-count": n % 3}])}],
    }
    payload = gzip.compress(json.dumps(report, indent=1).encode(), mtime=0)
    msg = MIMEMultipart("report", report_type="tlsrpt")
    msg["From"] = "TLS reporter <reports@reporter.lab>"
    msg["To"] = "tlsrpt@reports.lab"
    msg["Subject"] = f"Report Domain: {domain} Submitter: reporter.lab Report-ID: <{rid}>"
    msg["Date"] = formatdate(start.timestamp() + 90000)
    msg["TLS-Report-Domain"] = domain
    msg["TLS-Report-Submitter"] = "reporter.lab"
    msg["Message-ID"] = f"<{rid}@reporter.lab>"
    msg.attach(MIMEText(f"This is an aggregate TLS report from reporter.lab for {domain}.\n"))
    att = MIMEApplication(payload, "tlsrpt+gzip")
    att.add_header("Content-Disposition", "attachment",
                   filename=f"reporter.lab!{domain}!{int(start.timestamp())}!{int(end.timestamp())}!{n:03d}.json.gz")
    msg.attach(att)
    return msg.as_bytes()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--lab", required=True)
    ap.add_argument("--scenarios", action="append", default=[])
    ap.add_argument("--bulk", type=int, default=0)
    ap.add_argument("--eml", default="")
    ap.add_argument("--policy-host", choices=["nginx", "mailtls"], default="nginx")
    args = ap.parse_args()
    t0 = time.time()
    lab = Lab(args)
    lab.infra()
    for scen in load_scenarios([os.path.join(args.lab, "scenarios")] + args.scenarios):
        for d in scen["domains"]:
            lab.domain(scen, d)
    lab.bulk(args.bulk)
    lab.pki.write_trust()
    lab.write_zones()
    lab.write_unbound()
    lab.write_nginx()
    lab.write_mailtls_serve()
    lab.write_postfix()
    lab.write_dovecot(args.eml)
    lab.write_plan()
    print(f"labgen: {len(lab.plan['domains'])} scenario domains, {len(lab.zones)} zones, "
          f"{len(lab.smtp)} SMTP listeners, {len(lab.policy_hosts)} policy hosts, bulk {args.bulk} "
          f"({time.time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
