#!/usr/bin/env bash
# Every service exits non-zero on bad configuration, naming the variable.
# Usage: config_errors.sh BINARY...
set -u
pass=0 fail=0
key=$(printf '%064d' 7)
check() { # binary expected-variable env...
  local bin=$1 var=$2; shift 2
  local out rc
  out=$(env -i PATH="$PATH" "$@" "$bin" 2>&1 </dev/null); rc=$?
  if [ "$rc" -ne 0 ] && grep -q "$var" <<<"$out"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "FAIL: $(basename "$bin") with $* exited $rc: $out"
  fi
}
for bin in "$@"; do
  svc=$(basename "$bin"); svc=${svc#seklik-}; SVC=${svc^^}
  base=(SEKLIK_DB_DSN="host=127.0.0.1 port=1" SEKLIK_HMAC_KEY="$key")
  check "$bin" SEKLIK_DB_DSN SEKLIK_HMAC_KEY="$key"
  check "$bin" SEKLIK_HMAC_KEY SEKLIK_DB_DSN="host=127.0.0.1 port=1"
  check "$bin" SEKLIK_HMAC_KEY SEKLIK_DB_DSN="x" SEKLIK_HMAC_KEY="abc"
  check "$bin" SEKLIK_HMAC_KEY SEKLIK_DB_DSN="x" SEKLIK_HMAC_KEY="$(printf '%064s' | tr ' ' 'z')"
  check "$bin" SEKLIK_DB_POOL_SIZE "${base[@]}" SEKLIK_DB_POOL_SIZE=abc
  check "$bin" SEKLIK_DB_POOL_SIZE "${base[@]}" SEKLIK_DB_POOL_SIZE=0
  check "$bin" SEKLIK_LOG_LEVEL "${base[@]}" SEKLIK_LOG_LEVEL=loud
  check "$bin" SEKLIK_REDIS_URL "${base[@]}" SEKLIK_REDIS_URL=http://x:1
  # A bad Redis URL is named; the password in it is not repeated.
  out=$(env -i PATH="$PATH" "${base[@]}" SEKLIK_REDIS_URL='redis://seklik:Pw-n0t-2-echo@x:99999/0' \
    "$bin" 2>&1 </dev/null); rc=$?
  if [ "$rc" -eq 2 ] && grep -q SEKLIK_REDIS_URL <<<"$out" && ! grep -q 'Pw-n0t-2-echo' <<<"$out"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $svc, bad Redis URL with a password: $out"; fi
  check "$bin" "SEKLIK_${SVC}_RPC" "${base[@]}" "SEKLIK_${SVC}_RPC=udp://x:1"
  check "$bin" SEKLIK_HTTP_LISTEN "${base[@]}" SEKLIK_HTTP_LISTEN=tcp://x:1
  check "$bin" SEKLIK_REPLAY_INTERVAL_MS "${base[@]}" SEKLIK_REPLAY_INTERVAL_MS=-5
  if [ "$svc" = gateway ]; then
    check "$bin" SEKLIK_GATEWAY_TRUSTED_PROXIES "${base[@]}" SEKLIK_GATEWAY_TRUSTED_PROXIES=10.0.0.0/33
    check "$bin" SEKLIK_GATEWAY_TRUSTED_PROXIES "${base[@]}" \
      "SEKLIK_GATEWAY_TRUSTED_PROXIES=10.0.0.0/8, ingress.local"
  fi
  # A database that cannot be reached is a failed start, not a hang.
  out=$(env -i PATH="$PATH" "${base[@]}" SEKLIK_LOG_LEVEL=error timeout 30 "$bin" 2>&1 </dev/null); rc=$?
  if [ "$rc" -eq 1 ] && grep -q "cannot connect" <<<"$out"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $svc with an unreachable database exited $rc"; fi
done
echo "config errors: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
