#!/bin/sh
# Regenerates the ldns-signed test zones (run by hand; the output is checked in).
# Real-signer cross-check of our canonical form, NSEC/NSEC3 proofs and algorithms:
#   .              RSASHA256 (8),        NSEC
#   tld.           ECDSAP256SHA256 (13), NSEC3 1 iteration, salt, OPT-OUT (unsigned.tld. has no DS)
#   signed.tld.    ED25519 (15),         NSEC3 0 iterations, no salt: MX, A, TLSA, CNAME, wildcard
#   nsec.tld.      ECDSAP384SHA384 (14), NSEC: MX, A, wildcard, empty non-terminal
# Signatures valid 2025-01-01 .. 2035-01-01 (tests inject a clock).
# Requires ldnsutils (ldns-keygen, ldns-signzone). Keys are thrown away after signing.
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
INC=20250101000000
EXP=20350101000000

keys() { # zone alg -> sets KSK ZSK basenames
  (cd "$work" && ldns-keygen -a "$2" -k "$1" >/dev/null && ldns-keygen -a "$2" "$1" >/dev/null)
}
ksk() { ls "$work"/K"$1"+*.ds | head -1 | sed 's/\.ds$//'; }
allkeys() { for f in "$work"/K"$1"+*.private; do echo "${f%.private}"; done; }

cat > "$work/signed.tld.zone" <<'Z'
signed.tld. 3600 IN SOA ns1.signed.tld. hostmaster.signed.tld. 1 7200 3600 1209600 300
signed.tld. 3600 IN NS ns1.signed.tld.
signed.tld. 3600 IN MX 10 mail.signed.tld.
ns1.signed.tld. 3600 IN A 192.0.2.53
mail.signed.tld. 3600 IN A 192.0.2.25
mail.signed.tld. 3600 IN AAAA 2001:db8::25
_25._tcp.mail.signed.tld. 3600 IN TLSA 3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6
alias.signed.tld. 3600 IN CNAME mail.signed.tld.
*.wild.signed.tld. 3600 IN A 192.0.2.80
Z
cat > "$work/nsec.tld.zone" <<'Z'
nsec.tld. 3600 IN SOA ns1.nsec.tld. hostmaster.nsec.tld. 1 7200 3600 1209600 300
nsec.tld. 3600 IN NS ns1.nsec.tld.
nsec.tld. 3600 IN MX 10 mx.nsec.tld.
ns1.nsec.tld. 3600 IN A 192.0.2.54
mx.nsec.tld. 3600 IN A 192.0.2.26
a.b.nsec.tld. 3600 IN TXT "below an empty non-terminal"
*.wild.nsec.tld. 3600 IN MX 20 mx.nsec.tld.
Z
cat > "$work/tld.zone" <<'Z'
tld. 3600 IN SOA ns.tld. hostmaster.tld. 1 7200 3600 1209600 300
tld. 3600 IN NS ns.tld.
ns.tld. 3600 IN A 192.0.2.2
signed.tld. 3600 IN NS ns1.signed.tld.
ns1.signed.tld. 3600 IN A 192.0.2.53
nsec.tld. 3600 IN NS ns1.nsec.tld.
ns1.nsec.tld. 3600 IN A 192.0.2.54
unsigned.tld. 3600 IN NS ns.unsigned.tld.
ns.unsigned.tld. 3600 IN A 192.0.2.99
Z
cat > "$work/root.zone" <<'Z'
. 86400 IN SOA a.root. hostmaster.root. 1 1800 900 604800 86400
. 86400 IN NS a.root.
a.root. 86400 IN A 192.0.2.1
tld. 86400 IN NS ns.tld.
ns.tld. 86400 IN A 192.0.2.2
Z

keys signed.tld. ED25519
ldns-signzone -n -t 0 -i $INC -e $EXP -f signed.tld.signed -o signed.tld. "$work/signed.tld.zone" $(allkeys signed.tld.)
keys nsec.tld. ECDSAP384SHA384
ldns-signzone -i $INC -e $EXP -f nsec.tld.signed -o nsec.tld. "$work/nsec.tld.zone" $(allkeys nsec.tld.)
cat "$(ksk signed.tld.).ds" "$(ksk nsec.tld.).ds" >> "$work/tld.zone"
keys tld. ECDSAP256SHA256
ldns-signzone -n -p -s cafe -t 1 -i $INC -e $EXP -f tld.signed -o tld. "$work/tld.zone" $(allkeys tld.)
cat "$(ksk tld.).ds" >> "$work/root.zone"
keys . RSASHA256
ldns-signzone -i $INC -e $EXP -f root.signed -o . "$work/root.zone" $(allkeys .)
cp "$(ksk .).ds" root-anchor.ds
# Unsigned child zone of the opt-out delegation.
cat > unsigned.tld.zone <<'Z'
unsigned.tld. 3600 IN SOA ns.unsigned.tld. hostmaster.unsigned.tld. 1 7200 3600 1209600 300
unsigned.tld. 3600 IN NS ns.unsigned.tld.
unsigned.tld. 3600 IN MX 10 mx.unsigned.tld.
ns.unsigned.tld. 3600 IN A 192.0.2.99
mx.unsigned.tld. 3600 IN A 192.0.2.98
Z
