# Sourced by bench/webhook-load.sh and bench/webhook-memory.sh (not run on
# its own), after ROOT is set to the repository root.
#
#   need COMMAND PACKAGE     installs PACKAGE from Debian unless COMMAND exists
#   throwaway_cert DIR       writes DIR/tls.crt and DIR/tls.key (P-256,
#                            self-signed, localhost and 127.0.0.1, 2 days)
#   webhook_bin              prints $BIN, or builds this checkout's webhook
#                            (release) and prints its path

need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "installing $2 from Debian" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  else
    sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  fi
}

throwaway_cert() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$1/tls.key" -out "$1/tls.crt" >/dev/null 2>&1
}

webhook_bin() {
  if [ -n "${BIN:-}" ]; then
    echo "$BIN"
    return
  fi
  (cd "$ROOT" && cargo build --release -q -p eyelint-webhook) >&2
  echo "$ROOT/target/release/eyelint-webhook"
}
