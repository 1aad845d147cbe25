#!/usr/bin/env bash
# Makes the simulator's loopback PKI in host/fixtures/sim-pki: a root CA, an intermediate CA and a
# leaf for 127.0.0.1/localhost, valid ten years. `npm start` serves the leaf with the intermediate
# (a full chain, as the device needs) and trusts the root as its embedded CA. Test-only keys:
# never trust this root anywhere else.
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/host/fixtures/sim-pki"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > ca.cnf <<'CNF'
[ca_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out root.key 2>/dev/null
openssl req -x509 -new -key root.key -sha256 -days 3650 -subj "/O=esp32-https-fetch simulator/CN=Simulator Root CA" \
  -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out intermediate.key 2>/dev/null
openssl req -new -key intermediate.key -subj "/O=esp32-https-fetch simulator/CN=Simulator Intermediate CA" -out intermediate.csr
openssl x509 -req -in intermediate.csr -CA root.pem -CAkey root.key -CAcreateserial -sha256 -days 3650 \
  -extfile ca.cnf -extensions ca_ext -out intermediate.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out leaf.key 2>/dev/null
openssl req -new -key leaf.key -subj "/O=esp32-https-fetch simulator/CN=127.0.0.1" -out leaf.csr
openssl x509 -req -in leaf.csr -CA intermediate.pem -CAkey intermediate.key -CAcreateserial -sha256 -days 3650 \
  -extfile ca.cnf -extensions leaf_ext -out leaf.pem 2>/dev/null
mkdir -p "$out"
cp root.pem intermediate.pem leaf.pem leaf.key "$out/"
echo "wrote $out"
