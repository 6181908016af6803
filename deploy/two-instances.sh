#!/usr/bin/env bash
# Two core instances behind a throwaway nginx, all on loopback, as the current user:
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiangxin REDIS_URL=redis://127.0.0.1:6379 deploy/two-instances.sh
#
# Starts the payment sandbox (its generated keys are passed to the instances as ALIPAY_*/WECHATPAY_*
# variables, exactly as an operator configures real keys), two instances of the production entry
# core/src/main/server.ts on free ports (the first one migrates the database), and nginx with the
# upstreams of deploy/nginx/jiangxin.conf pointing at them. Prints JIANGXIN_URL=… and waits; Ctrl-C,
# SIGTERM or the death of any process stops everything it started and removes its temporary directory.
# Each response through nginx carries X-Jiangxin-Upstream (the instance that answered).
#
# Uploaded files go to object storage, as on hosts that share no disk: each instance has a DATA_DIR of
# its own, and both use one S3 bucket. Without S3_BUCKET in the environment the script starts s3rver (an
# S3-protocol server, a dev dependency of core) on a free loopback port with bucket `jiangxin-files`
# and prints JIANGXIN_S3=<endpoint>/<bucket>; with S3_* set, the instances use that bucket instead.
#
# Needs: PostgreSQL (PGlite cannot be shared by two processes), Redis, nginx (NGINX=/path overrides).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database}"
export DATABASE_URL
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
export REDIS_KEY_PREFIX=${REDIS_KEY_PREFIX:-jiangxin-2i}
export JWT_SECRET=${JWT_SECRET:-$(node -e "console.log(require('crypto').randomBytes(32).toString('hex'))")}
# Personal data at rest: both instances hold the same keys (deploy/README.md "Personal data at rest").
# Unset, keys are generated once into PII_KEYS_FILE and reused, so later runs on the same database can
# still read what earlier ones encrypted.
if [ -z "${PII_KEY:-}" ]; then
  PII_KEYS_FILE=${PII_KEYS_FILE:-${XDG_CONFIG_HOME:-$HOME/.config}/jiangxin/two-instances-pii-keys}
  if [ ! -f "$PII_KEYS_FILE" ]; then
    mkdir -p "$(dirname "$PII_KEYS_FILE")"
    (umask 077 && node -e "const r=()=>require('crypto').randomBytes(32).toString('base64');console.log('PII_KEY=k1:'+r()+'\nPII_INDEX_KEY='+r())" >"$PII_KEYS_FILE")
    echo "generated personal-data keys into $PII_KEYS_FILE" >&2
  fi
  set -a
  # shellcheck disable=SC1090
  . "$PII_KEYS_FILE"
  set +a
fi
export NODE_ENV=${NODE_ENV:-production}
export LOG_LEVEL=${LOG_LEVEL:-warn}
export TRUST_PROXY=true
[ -x "$NGINX" ] || { echo "nginx not found (set NGINX=/path/to/nginx)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jiangxin-2i.XXXXXX")
PIDS=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ -n "${KEEP_LOGS:-}" ]; then echo "logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
wait_http() { # url, what, pid [any: any HTTP status will do]
  local fail=-f
  [ "${4:-}" = any ] && fail=
  for _ in $(seq 1 300); do
    curl $fail -sS -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || { echo "$2 exited; its log:" >&2; cat "$WORK/$2.log" >&2 || true; exit 1; }
    sleep 0.2
  done
  echo "$2 did not answer on $1" >&2; exit 1
}

cd "$ROOT"
mkdir -p "$WORK/nginx/tmp"

# 1. The payment sandbox, then its credentials as the gateway variables.
SANDBOX_PORT=$(free_port)
SANDBOX_PORT=$SANDBOX_PORT DATA_DIR="$WORK/sandbox" node --import tsx core/src/sandbox/cli.ts >"$WORK/sandbox.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$SANDBOX_PORT/" sandbox "${PIDS[-1]}" any
for _ in $(seq 1 100); do [ -s "$WORK/sandbox/sandbox-keys.json" ] && break; sleep 0.1; done
node -e '
  const k = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const u = `http://127.0.0.1:${process.argv[2]}`;
  const v = {
    ALIPAY_APP_ID: k.alipay.appId, ALIPAY_PUBLIC_KEY: k.alipay.gateway.publicKey,
    ALIPAY_PRIVATE_KEY: k.alipay.merchant.privateKey, ALIPAY_GATEWAY_URL: `${u}/alipay/gateway.do`,
    WECHATPAY_MCHID: k.wechat.mchid, WECHATPAY_APPID: k.wechat.appid, WECHATPAY_APIV3_KEY: k.wechat.apiV3Key,
    WECHATPAY_PLATFORM_PUBLIC_KEY: k.wechat.platform.publicKey, WECHATPAY_PLATFORM_SERIAL: k.wechat.platformSerial,
    WECHATPAY_PRIVATE_KEY: k.wechat.merchant.privateKey, WECHATPAY_MERCHANT_SERIAL: k.wechat.merchantSerial,
    WECHATPAY_GATEWAY_URL: u,
  };
  const q = (s) => "$\x27" + String(s).replace(/\\/g, "\\\\").replace(/\x27/g, "\\\x27").replace(/\n/g, "\\n") + "\x27";
  for (const [name, value] of Object.entries(v)) console.log(`export ${name}=${q(value)}`);
' "$WORK/sandbox/sandbox-keys.json" "$SANDBOX_PORT" >"$WORK/payment.env"
# shellcheck disable=SC1091
source "$WORK/payment.env"

# 2. The bucket both instances keep uploaded files in (s3rver on loopback unless S3_BUCKET is given).
if [ -z "${S3_BUCKET:-}" ]; then
  S3RVER="$ROOT/node_modules/s3rver/bin/s3rver.js"
  [ -f "$S3RVER" ] || { echo "s3rver is not installed (npm install), or set S3_* to a bucket" >&2; exit 2; }
  S3_PORT=$(free_port)
  mkdir -p "$WORK/s3"
  node "$S3RVER" -d "$WORK/s3" -a 127.0.0.1 -p "$S3_PORT" --no-vhost-buckets --configure-bucket jiangxin-files \
    >"$WORK/s3rver.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$S3_PORT/" s3rver "${PIDS[-1]}" any
  # s3rver's built-in account; path-style addressing (no bucket subdomains on loopback).
  export S3_ENDPOINT="http://127.0.0.1:$S3_PORT" S3_BUCKET=jiangxin-files S3_REGION=us-east-1 \
    S3_ACCESS_KEY_ID=S3RVER S3_SECRET_ACCESS_KEY=S3RVER S3_FORCE_PATH_STYLE=true
fi

# 3. Two instances of the production entry (the first migrates; the second starts once it is up), each
#    with a DATA_DIR of its own: files reach the other instance only through the bucket.
NGINX_PORT=${NGINX_PORT:-$(free_port)}
export PUBLIC_URL="http://127.0.0.1:$NGINX_PORT"
PORTS=()
for i in 1 2; do
  port=$(free_port)
  PORTS+=("$port")
  mkdir -p "$WORK/data-$i"
  DATA_DIR="$WORK/data-$i" HOST=127.0.0.1 PORT=$port node --import tsx core/src/main/server.ts >"$WORK/core-$i.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/healthz" "core-$i" "${PIDS[-1]}"
done

# 4. nginx: the upstreams of deploy/nginx/jiangxin.conf, with this run's ports and paths.
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
  upstream jiangxin_api {
    least_conn;
    server 127.0.0.1:${PORTS[0]} max_fails=3 fail_timeout=10s;
    server 127.0.0.1:${PORTS[1]} max_fails=3 fail_timeout=10s;
    keepalive 16;
  }
  upstream jiangxin_socket {
    hash \$remote_addr consistent;
    server 127.0.0.1:${PORTS[0]};
    server 127.0.0.1:${PORTS[1]};
  }
  map \$http_upgrade \$jiangxin_connection { default upgrade; '' ''; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    client_max_body_size 25m;
    proxy_http_version 1.1;
    proxy_set_header Host \$host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto \$scheme;
    add_header X-Jiangxin-Upstream \$upstream_addr always;
    location /socket.io/ {
      proxy_pass http://jiangxin_socket;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$jiangxin_connection;
      proxy_read_timeout 75s;
      proxy_buffering off;
    }
    location = /metrics {
      return 404;
    }
    location / {
      proxy_pass http://jiangxin_api;
      proxy_set_header Connection '';
    }
  }
}
CONF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx.log" &
PIDS+=($!)
wait_http "http://127.0.0.1:$NGINX_PORT/healthz" nginx "${PIDS[-1]}"

echo "JIANGXIN_URL=http://127.0.0.1:$NGINX_PORT"
echo "JIANGXIN_INSTANCES=http://127.0.0.1:${PORTS[0]},http://127.0.0.1:${PORTS[1]}"
echo "JIANGXIN_SANDBOX=http://127.0.0.1:$SANDBOX_PORT"
echo "JIANGXIN_S3=${S3_ENDPOINT:-aws}/$S3_BUCKET"
echo "Jiangxin: two core instances behind nginx at http://127.0.0.1:$NGINX_PORT (logs in $WORK). Ctrl-C stops everything."

# Until a signal, or until any of the processes dies.
wait -n "${PIDS[@]}" || true
echo "a process exited; stopping the rest" >&2
exit 1
