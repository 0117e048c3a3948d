#!/bin/sh
# The program every machine runs first (with its environment from $SLIPWAY_HOME/env). It
# follows the run's global state and, at each state, does this machine's part:
#   Initializing   install packages and run recipes (images not built for this cloud)
#   Running        run the execute targets, root ancestor first; stop them on abort
#   SendingReport  run the report targets (all of them, whatever fails), upload the report
# and tells the API it completed each state, so the barrier can advance.
set -u
. "$SLIPWAY_HOME/lib/slipway.sh"
slipway_require_env

REPORT_DIR=${SLIPSTREAM_REPORT_DIR:?}
WORKDIR=${SLIPWAY_WORKDIR:-$HOME}
mkdir -p "$REPORT_DIR"
BOOT_LOG=$REPORT_DIR/slipway-bootstrap.log

note() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$BOOT_LOG"; }

# Calls the API until it answers (an API restart must not lose a completion). Waits grow
# from 1 s to 30 s, so a thousand machines whose API is gone do not hammer the host; after
# an hour without an answer the machine gives up (the reaper releases it).
call_until_answered() { # method path [curl args…]
  pause=1
  waited=0
  while :; do
    slipway_http "$@"
    case "$SLIPWAY_STATUS" in
      000 | 502 | 503 | 504)
        [ "$waited" -lt 3600 ] || { note "no answer from $SLIPWAY_API for an hour: giving up"; exit 1; }
        sleep "$pause"
        waited=$((waited + pause))
        pause=$((pause * 2))
        [ "$pause" -le 30 ] || pause=30
        ;;
      401) note "the run has ended (token refused)"; exit 0 ;;
      *) return 0 ;;
    esac
  done
}

json_field() { # name: a string field of $SLIPWAY_BODY
  printf '%s' "$SLIPWAY_BODY" | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"
}

complete() { # state exit-code
  note "completed $1 (exit code $2)"
  call_until_answered POST /api/machine/complete -H 'Content-Type: application/json' \
    --data "{\"state\":\"$1\",\"exitCode\":$2}"
}

# Prints the run's state once it differs from $1 (long poll; '' = now).
next_state() {
  while :; do
    call_until_answered GET "/api/machine/state?known=$1&wait=30" --max-time 45
    if [ "$SLIPWAY_STATUS" = 200 ]; then
      json_field state
      return 0
    fi
    [ "$SLIPWAY_STATUS" = 408 ] || { note "state poll answered HTTP $SLIPWAY_STATUS"; sleep 1; }
  done
}

# Sends what a log gained since the last send to the run page. The offset lives in a file
# because the periodic sender runs in a background subshell.
flush_log() { # file target
  offset=$(cat "$1.sent" 2>/dev/null || echo 0)
  size=$(wc -c <"$1" 2>/dev/null || echo 0)
  size=$((size + 0))
  [ "$size" -gt "$offset" ] || return 0
  chunk=$(mktemp "${TMPDIR:-/tmp}/slipway.XXXXXX")
  tail -c +$((offset + 1)) "$1" | head -c $((size - offset)) >"$chunk"
  slipway_http POST "/api/machine/logs?target=$2" -H 'Content-Type: text/plain; charset=utf-8' \
    --data-binary "@$chunk" --max-time 10
  rm -f "$chunk"
  echo "$size" >"$1.sent"
}

stream_log() { # file target: every couple of seconds, until killed
  while :; do
    sleep 2
    flush_log "$1" "$2"
  done
}

# Runs one script in its own process group, so an abort can stop everything it started.
run_script() { # script log
  chmod +x "$1"
  if command -v setsid >/dev/null 2>&1; then
    (cd "$WORKDIR" && exec setsid "$1") >>"$2" 2>&1 </dev/null &
  else
    (cd "$WORKDIR" && exec "$1") >>"$2" 2>&1 </dev/null &
  fi
  script_pid=$!
}

stop_group() { # pid
  kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null
  waited=0
  while kill -0 "$1" 2>/dev/null && [ "$waited" -lt 5 ]; do sleep 1; waited=$((waited + 1)); done
  kill -KILL -- "-$1" 2>/dev/null || kill -KILL "$1" 2>/dev/null
}

# Runs every script of a target in chain order. With stop_on_failure, the first failure
# ends the chain (execute); without it, every script runs (report). Returns the first
# non-zero exit code.
run_target() { # target stop_on_failure watch_abort
  target=$1
  log=$REPORT_DIR/$target.log
  : >>"$log"
  stream_log "$log" "$target" &
  streamer=$!
  result=0
  for script in "$SLIPWAY_HOME/targets/$target"/*; do
    [ -f "$script" ] || continue
    note "running $target: ${script##*/}"
    run_script "$script" "$log"
    watcher=""
    if [ "$3" = 1 ]; then
      # Blocks until the abort flag is set, then stops the script: TERM, then KILL after 5 s.
      (
        "$SLIPWAY_HOME/bin/ss-get" --ignore-abort --timeout 0 ss:abort >/dev/null 2>&1 &&
          { note "abort: stopping $target"; stop_group "$script_pid"; }
      ) &
      watcher=$!
    fi
    wait "$script_pid"
    code=$?
    [ -n "$watcher" ] && { kill "$watcher" 2>/dev/null; pkill -P "$watcher" 2>/dev/null; }
    note "$target ${script##*/} exited with $code"
    if [ "$code" -ne 0 ] && [ "$result" -eq 0 ]; then result=$code; fi
    [ "$code" -ne 0 ] && [ "$2" = 1 ] && break
  done
  kill "$streamer" 2>/dev/null
  wait "$streamer" 2>/dev/null
  flush_log "$log" "$target"
  rm -f "$log.sent"
  return "$result"
}

initialize() {
  code=0
  if [ -s "$SLIPWAY_HOME/packages" ]; then
    # shellcheck disable=SC2046 # one package name per word
    "$SLIPWAY_HOME/bin/ss-install-package" $(cat "$SLIPWAY_HOME/packages") >>"$REPORT_DIR/recipe.log" 2>&1 || code=$?
  fi
  [ "$code" -eq 0 ] && { run_target recipe 1 0 || code=$?; }
  if [ "$code" -ne 0 ]; then
    "$SLIPWAY_HOME/bin/ss-abort" "image creation failed on $SLIPWAY_INSTANCE (exit code $code): see recipe.log" || true
  fi
  complete Initializing "$code"
}

send_report() {
  run_target report 0 0 || true
  archive=$(mktemp "${TMPDIR:-/tmp}/slipway-report.XXXXXX")
  tar -czf "$archive" -C "$REPORT_DIR" . 2>>"$BOOT_LOG"
  call_until_answered POST /api/machine/report -H 'Content-Type: application/gzip' --data-binary "@$archive"
  [ "$SLIPWAY_STATUS" = 201 ] || note "report upload answered HTTP $SLIPWAY_STATUS: $(slipway_error_message)"
  rm -f "$archive"
  complete SendingReport 0
}

note "machine $SLIPWAY_INSTANCE of run $SLIPWAY_RUN starting"
state=$(next_state '')
done_states=" "
while :; do
  case "$done_states" in *" $state "*) state=$(next_state "$state"); continue ;; esac
  done_states="$done_states$state "
  note "run state: $state"
  case "$state" in
    Initializing) initialize ;;
    Running)
      code=0
      run_target execute 1 1 || code=$?
      complete Running "$code"
      ;;
    SendingReport) send_report ;;
    Ready | Done | Aborted | '') note "nothing more to do ($state)"; exit 0 ;;
  esac
  state=$(next_state "$state")
done
