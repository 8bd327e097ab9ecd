#!/usr/bin/env bash
# The main job of `make demo`: a local Custos network of five custos-node processes (3-of-5) on
# 127.0.0.1, driven only through the `custos` command line, as an operator and two approvers would:
#   1. two approvers get (software) passkeys; init-network writes five nodes that require both (2 of 2);
#   2. the nodes start, connect over CURVE, and run a distributed key generation;
#   3. a handful of intents are created, approved by both passkeys, signed and verified;
#   4. an intent approved by one approver only is refused, every node saying why;
#   5. one node is stopped mid-run and signing continues with the other four;
#   6. every node stops cleanly on SIGTERM; a summary is printed.
# Usage: scripts/demo.sh BUILD_DIR   (the work directory BUILD_DIR/demo is recreated; logs stay there)
set -euo pipefail

build=${1:-build}
bin="$build/node"
work="$build/demo"
base=${DEMO_BASE_PORT:-7100}
nodes=5
custos="$bin/custos"

say() { printf '\n== %s\n' "$*"; }
api() { echo "127.0.0.1:$((base + 100 + $1))"; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

rm -rf "$work"
mkdir -p "$work"
cd "$work"
custos="$(cd "$OLDPWD" && realpath "$custos")"
node_bin="$(cd "$OLDPWD" && realpath "$bin/custos-node")"

say "1. Approvers alice and bob get software passkeys; five nodes are configured to require both"
for who in alice bob; do
  "$custos" approver create --id "$who" --out "$who.credential" --record-out "$who.record.json" >/dev/null
  echo "   $who: passkey created ($who.credential, record $who.record.json)"
done
"$custos" init-network --nodes $nodes --threshold 3 --dir net --base-port "$base" \
  --approver alice=alice.record.json --approver bob=bob.record.json --quorum 2 >init-network.txt
echo "   net/node-1 … net/node-$nodes written (identities, KEKs, configs; 3-of-5; approvals 2 of {alice, bob})"

say "2. Five custos-node processes start and connect"
for i in $(seq 1 $nodes); do
  "$node_bin" --config "net/node-$i/node.yaml" --create-store 2>"node-$i.log" &
  pids+=($!)
done
for i in $(seq 1 $nodes); do
  for _ in $(seq 1 200); do
    if "$custos" status --node "$(api "$i")" 2>/dev/null | grep -q "$((nodes - 1)) of $((nodes - 1)) peers connected"; then break; fi
    sleep 0.1
  done
  "$custos" status --node "$(api "$i")" | sed 's/^/   /'
done

say "3. Distributed key generation (CGGMP21 keygen + aux-info on all five nodes)"
key=$("$custos" keygen --node "$(api 1)" --json | sed -n 's/.*"key_id": *"\([0-9a-f]*\)".*/\1/p')
[ -n "$key" ] || { echo "keygen failed"; exit 1; }
"$custos" key show "$key" --node "$(api 2)" | sed 's/^/   /'

signed=0
sign_one() {  # $1 label, $2 coordinator node
  local n=$1 coord=$2 digest
  digest=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  "$custos" intent create --key "$key" --digest "$digest" --path "0/$n" --amount 0.0$n --asset BTC \
    --destination "bc1qdemo$n" --out "intent-$n.json" >/dev/null
  "$custos" approve --credential alice.credential --intent "intent-$n.json" --out "approval-$n-alice.json" >/dev/null
  "$custos" approve --credential bob.credential --intent "intent-$n.json" --out "approval-$n-bob.json" >/dev/null
  "$custos" sign --intent "intent-$n.json" --approval "approval-$n-alice.json" --approval "approval-$n-bob.json" \
    --node "$(api "$coord")" >"signature-$n.txt"
  signed=$((signed + 1))
  echo "   intent $n via node $coord (path m/0/$n):"
  sed 's/^/     /' "signature-$n.txt"
}

say "4. Intents approved by alice and bob are signed (each signature verified by the client)"
for n in 1 2 3 4; do sign_one "$n" "$n"; done

say "5. An intent approved by alice only is refused by every node"
digest=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$custos" intent create --key "$key" --digest "$digest" --out intent-refused.json >/dev/null
"$custos" approve --credential alice.credential --intent intent-refused.json --out approval-refused-alice.json >/dev/null
refused=0
if "$custos" sign --intent intent-refused.json --approval approval-refused-alice.json --node "$(api 3)" >refused.txt 2>&1; then
  echo "   UNEXPECTED: the intent was signed"; exit 1
fi
refused=1
sed 's/^/   /' refused.txt

say "6. Node 5 stops (SIGTERM) mid-run; the other four keep signing"
kill -TERM "${pids[4]}"
wait "${pids[4]}" && echo "   node 5 stopped cleanly (exit 0)"
for n in 5 6; do sign_one "$n" $((n - 4)); done

say "7. Every node stops cleanly"
for i in 0 1 2 3; do kill -TERM "${pids[$i]}"; done
clean=1
for i in 0 1 2 3; do
  if wait "${pids[$i]}"; then echo "   node $((i + 1)) stopped (exit 0)"; else echo "   node $((i + 1)) exit $?"; clean=0; fi
done
pids=()

say "Summary"
echo "   key $key (3-of-5), approvals required: 2 of {alice, bob}"
echo "   $signed signatures made and verified; $refused intent refused as expected (one approval only)"
echo "   node 5 stopped mid-run and signing continued with nodes 1-4"
echo "   all nodes stopped cleanly: $([ $clean = 1 ] && echo yes || echo NO)"
echo "   work directory with configs, logs (JSON lines) and signatures: $work"
[ $clean = 1 ]
