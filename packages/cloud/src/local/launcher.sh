#!/bin/sh
# Starts the machines of the local cloud for one orchestrator process, which writes one
# request per line on stdin (fields separated by tabs):
#   id  slot|-  bridge|-  namespace|-  address|-  machine-directory
# and reads one answer per request on stdout: "ok <id> <pid>" or "fail <id> <message>".
# It exists so that Node forks once, not four times a machine: forking a large Node
# process costs a quarter of a second on the hosts we run on, and blocks its event loop.
# Requests are served in parallel; the machine is a new session (setsid) whose pid stays
# the bootstrap's through every exec, so release can find and kill it.
main_bridge=$1 # holds the gateway: where the host keeps its neighbour entries
gateway=$2
tab=$(printf '\t')

fail() { # id message
  printf 'fail %s %s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ')"
}

# The machine's own network: a namespace joined to its segment's bridge by a veth pair.
setup_namespace() { # namespace slot address bridge
  host=swh$2
  guest=swg$2
  if ! ip netns add "$1" 2>/dev/null; then
    # A leftover of a killed orchestrator.
    ip netns delete "$1" 2>/dev/null
    ip link delete "$host" 2>/dev/null
    ip netns add "$1" || return 1
  fi
  # The host may still map this address to the link of the machine that had it before.
  ip -batch - <<BATCH || return 1
link add $host type veth peer name $guest netns $1
link set $host master $4 up
neigh flush to $3 dev $main_bridge
BATCH
  ip -n "$1" -batch - <<BATCH || return 1
addr add $3/16 dev $guest
link set $guest up
link set lo up
route add default via $gateway
BATCH
}

launch() { # id slot bridge namespace address directory
  if [ "$2" != - ]; then
    problem=$(setup_namespace "$4" "$2" "$5" "$3" 2>&1) || {
      fail "$1" "cannot set up network namespace $4: $problem"
      return
    }
    set -- "$1" "$6" ip netns exec "$4"
  else
    set -- "$1" "$6"
  fi
  id=$1
  directory=$2
  shift 2
  cd "$directory/work" 2>/dev/null || { fail "$id" "$directory/work does not exist"; return; }
  # The machine starts from its env file alone, nothing of this process's environment.
  setsid "$@" /usr/bin/env -i /bin/sh -c \
    '. "$0/home/env" && exec /bin/sh "$SLIPWAY_HOME/lib/bootstrap.sh"' "$directory" \
    </dev/null >>"$directory/bootstrap.out" 2>&1 &
  echo "ok $id $!"
}

while IFS=$tab read -r id slot bridge namespace address directory; do
  (launch "$id" "$slot" "$bridge" "$namespace" "$address" "$directory") &
done
wait
