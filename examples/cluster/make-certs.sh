#!/usr/bin/env bash
# Makes a test certificate authority and role certificates for Axon's TLS (cluster.tls-*):
#   examples/cluster/make-certs.sh DIR [NAME[:ROLE] ...]
# writes DIR/ca.pem and DIR/ca.key (the CA), and for each NAME (default: coordinator,
# worker1, worker2, worker3) DIR/NAME.pem and DIR/NAME.key, signed by that CA, valid 30 days,
# for 127.0.0.1 and localhost, with the ROLE in the subject as OU=axon-ROLE. ROLE is
# coordinator, node, console or console-read; without one, NAME "coordinator" gets
# coordinator, names starting with "console" console, others node. A node accepts only
# coordinator certificates, a coordinator only node ones (docs/security.md). Every process
# sets cluster.tls-ca = DIR/ca.pem and its own certificate and key. For test clusters only:
# a real deployment issues role certificates from its own CA (docs/security.md says how).
set -euo pipefail
if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  exit $(( $# < 1 ? 2 : 0 ))
fi
dir=$1
shift
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(coordinator worker1 worker2 worker3)
mkdir -p "$dir"
[[ -f "$dir/ca.pem" ]] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 \
  -subj "/CN=Axon test CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
for entry in "${names[@]}"; do
  name=${entry%%:*}
  role=${entry#*:}
  if [[ $role == "$entry" ]]; then
    case $name in
      coordinator) role=coordinator ;;
      console*) role=console ;;
      *) role=node ;;
    esac
  fi
  case $role in
    coordinator|node|console|console-read) ;;
    *) echo "make-certs.sh: unknown role '$role' (coordinator, node, console, console-read)" >&2
       exit 2 ;;
  esac
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$name/OU=axon-$role" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 30 -out "$dir/$name.pem" \
    -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n') 2>/dev/null
  rm "$dir/$name.csr"
  echo "$name: OU=axon-$role"
done
chmod 600 "$dir"/*.key
echo "wrote $dir/ca.pem and certificates for: ${names[*]}"
