#!/bin/sh
# Makes the TLS files of an ASET NATS deployment with openssl: a CA, a server certificate (the hub's
# and the leaf nodes' client and leafnode ports), a client certificate for leaf-node links (the
# hub's leafnode port requires one), and a client certificate services may present.
#
#   infra/nats/tls/make-certs.sh <out-dir> [SAN ...]
#
# Each SAN is added to the server certificate's subject alternative names, as openssl writes them:
# IP:10.0.0.5 or DNS:nats.example.org. It always has DNS:localhost, IP:127.0.0.1, DNS:nats (the
# compose service) and DNS:nats.aset.svc.cluster.local (the Kubernetes service); add every name or
# address clients and leaf nodes dial. Writes into <out-dir>:
#   ca.pem, ca-key.pem           the CA (keep ca-key.pem off the servers)
#   server.pem, server-key.pem   nats-server: cert_file / key_file of infra/nats/*.conf
#   leaf.pem, leaf-key.pem       leaf nodes, dialing the hub (remotes[].tls)
#   client.pem, client-key.pem   services that present a client certificate (NATS_TLS_CERT / NATS_TLS_KEY)
# Keys are written with mode 0600. Certificates are valid for 825 days; run again to renew.
set -eu

if [ $# -lt 1 ]; then
  echo "usage: $0 <out-dir> [SAN ...]   e.g. $0 infra/secrets/nats/tls IP:10.0.0.5 DNS:nats.example.org" >&2
  exit 64
fi
out=$1
shift
command -v openssl >/dev/null || { echo "$0: openssl is not installed" >&2; exit 69; }

sans="DNS:localhost,IP:127.0.0.1,DNS:nats,DNS:nats.aset.svc.cluster.local"
for san in "$@"; do
  case $san in
    IP:*|DNS:*) sans="$sans,$san" ;;
    *) echo "$0: SAN \"$san\" must start with IP: or DNS:" >&2; exit 64 ;;
  esac
done

mkdir -p "$out"
umask 077
days=825

openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days "$days" \
  -subj "/CN=ASET NATS CA" -keyout "$out/ca-key.pem" -out "$out/ca.pem" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

# sign <name> <common name> <extendedKeyUsage> [subjectAltName]
sign() {
  ext=$(mktemp)
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\n' "$3" > "$ext"
  if [ $# -ge 4 ]; then printf 'subjectAltName=%s\n' "$4" >> "$ext"; fi
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$2" \
    -keyout "$out/$1-key.pem" -out "$out/$1.csr" 2>/dev/null
  openssl x509 -req -in "$out/$1.csr" -CA "$out/ca.pem" -CAkey "$out/ca-key.pem" -CAcreateserial \
    -days "$days" -extfile "$ext" -out "$out/$1.pem" 2>/dev/null
  rm -f "$out/$1.csr" "$ext"
}

sign server "aset-nats" "serverAuth" "$sans"
sign leaf "aset-leaf" "clientAuth"
sign client "aset-service" "clientAuth"
rm -f "$out/ca.srl"
chmod 0644 "$out/ca.pem" "$out/server.pem" "$out/leaf.pem" "$out/client.pem"
echo "wrote $out: ca.pem, server.pem (SAN $sans), leaf.pem, client.pem and their keys"
