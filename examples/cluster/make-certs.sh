#!/usr/bin/env bash
# Makes a test certificate authority and certificates for Axon's TLS (cluster.tls-*):
#   examples/cluster/make-certs.sh DIR [NAME ...]
# writes DIR/ca.pem and DIR/ca.key (the CA), and for each NAME (default: coordinator,
# worker1, worker2, worker3) DIR/NAME.pem and DIR/NAME.key, signed by that CA, valid 30 days,
# for 127.0.0.1 and localhost. Every process of a cluster sets cluster.tls-ca = DIR/ca.pem
# and its own certificate and key; a process whose certificate is not signed by that CA is
# refused. For test clusters only: a real deployment takes its certificates from its own CA.
set -euo pipefail
if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit $(( $# < 1 ? 2 : 0 ))
fi
dir=$1
shift
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(coordinator worker1 worker2 worker3)
mkdir -p "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Axon test CA" \
  -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
for name in "${names[@]}"; do
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 30 -out "$dir/$name.pem" \
    -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n') 2>/dev/null
  rm "$dir/$name.csr"
done
chmod 600 "$dir"/*.key
echo "wrote $dir/ca.pem and certificates for: ${names[*]}"
