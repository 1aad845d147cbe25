#!/usr/bin/env bash
# Makes the simulator's client identity for mutual TLS in host/fixtures/sim-client: a client CA
# (what a server that requires client certificates trusts) and an RSA client certificate signed by
# it, with its PKCS#8 key, valid ten years; plus the bad inputs the start-up checks refuse: an EC
# client certificate and key, an RSA key of another certificate, a PKCS#1 copy of the good key and
# an encrypted one. Test-only keys: never trust this CA anywhere else.
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/host/fixtures/sim-client"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > ext.cnf <<'CNF'
[client_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
rsa() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }
rsa client-ca.key
openssl req -x509 -new -key client-ca.key -sha256 -days 3650 -subj "/O=esp32-https-fetch simulator/CN=Simulator Client CA" \
  -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" -out client-ca.pem
issue() { # key subject out
  openssl req -new -key "$1" -subj "/O=esp32-https-fetch simulator/CN=$2" -out "$3.csr"
  openssl x509 -req -in "$3.csr" -CA client-ca.pem -CAkey client-ca.key -CAcreateserial -sha256 -days 3650 \
    -extfile ext.cnf -extensions client_ext -out "$3" 2>/dev/null
}
rsa client.key
issue client.key device-1 client.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out client-ec.key 2>/dev/null
issue client-ec.key device-ec client-ec.pem
rsa other.key
openssl pkey -in client.key -traditional -out client-pkcs1.key 2>/dev/null || openssl rsa -in client.key -traditional -out client-pkcs1.key 2>/dev/null
openssl pkcs8 -topk8 -in client.key -passout pass:secret -out client-encrypted.key
mkdir -p "$out"
cp client-ca.pem client.pem client.key client-ec.pem client-ec.key other.key client-pkcs1.key client-encrypted.key "$out/"
echo "wrote $out"
