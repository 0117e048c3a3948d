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

# Lines of the bootstrap log carry the seconds since the machine started, read from
# /proc/uptime by the shell itself: a `date` per line is a process per line, and on a host
# running a thousand machines starting processes is what costs.
centiseconds() { # prints nothing where /proc/uptime is missing
  read -r _up _ 2>/dev/null </proc/uptime || return 0
  case "$_up" in *.??) echo $((${_up%.*} * 100 + 1${_up#*.} - 100)) ;; esac
}
started_cs=$(centiseconds)
note() {
  _now=$(centiseconds)
  if [ -n "$_now" ] && [ -n "$started_cs" ]; then
    _cs=$((_now - started_cs))
    printf '+%d.%02ds %s\n' $((_cs / 100)) $((_cs % 100)) "$*" >>"$BOOT_LOG"
  else
    printf '%s\n' "$*" >>"$BOOT_LOG"
  fi
}

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

complete() { # state exit-code
  note "completed $1 (exit code $2)"
  call_until_answered POST /api/machine/complete -H 'Content-Type: application/json' \
    --data "{\"state\":\"$1\",\"exitCode\":$2}"
}

# Prints the run's state once it differs from $1 (long poll; '' = now). The API holds the
# poll as long as it allows (SLIPWAY_LONG_POLL_MAX_SECONDS): an idle machine costs a
# request every few minutes, not a process every few seconds.
next_state() {
  while :; do
    call_until_answered GET "/api/machine/state?known=$1&wait=300" --max-time 330 --speed-time 330
    if [ "$SLIPWAY_STATUS" = 200 ]; then
      slipway_json_field state
      return 0
    fi
    [ "$SLIPWAY_STATUS" = 408 ] || { note "state poll answered HTTP $SLIPWAY_STATUS"; sleep 1; }
  done
}

# Streams a target's log to the run page as it grows: one `tail -f` feeding one chunked
# upload (through a FIFO) for the whole target. Nothing wakes while the log is quiet (GNU
# tail waits on inotify), and nothing is stored from it: the report carries the whole log.
start_streamer() { # file target
  _fifo=${TMPDIR:-/tmp}/slipway-$2.fifo
  streamer_tail=""
  [ -p "$_fifo" ] || mkfifo "$_fifo" 2>/dev/null || return 0
  curl -sS -o /dev/null -X POST -H "Authorization: Bearer $SLIPWAY_TOKEN" \
    -H 'Content-Type: text/plain; charset=utf-8' -H 'Expect:' -T - \
    "$SLIPWAY_API/api/machine/logs?target=$2" <"$_fifo" >/dev/null 2>&1 &
  tail -c +1 -f "$1" >"$_fifo" 2>/dev/null &
  streamer_tail=$!
}

# Ends the stream: tail stops, and curl sends the last chunk and ends the request.
stop_streamer() {
  [ -z "$streamer_tail" ] || kill "$streamer_tail" 2>/dev/null
}

# Runs one script in its own process group, so an abort can stop everything it started.
run_script() { # script log
  [ -x "$1" ] || chmod +x "$1"
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
  set -- "$1" "$2" "$3" "$SLIPWAY_HOME/targets/$1"/*
  [ -f "$4" ] || return 0 # nothing to run (most images have no recipe)
  log=$REPORT_DIR/$target.log
  : >>"$log"
  start_streamer "$log" "$target"
  result=0
  stop_on_failure=$2
  watch_abort=$3
  shift 3
  for script in "$@"; do
    [ -f "$script" ] || continue
    note "running $target: ${script##*/}"
    run_script "$script" "$log"
    watcher=""
    if [ "$watch_abort" = 1 ]; then
      # An abort moves the run out of Running: then stop the script, TERM, then KILL after
      # 5 s. The watcher is a long poll on the run's state, not a process that wakes.
      # Its curl is its own child (SLIPWAY_HTTP_FILE), so a TERM stops the poll with it.
      (
        SLIPWAY_HTTP_FILE=$SLIPWAY_HOME/abort-watch.http
        SLIPWAY_CURL_PID=""
        trap '[ -z "$SLIPWAY_CURL_PID" ] || kill "$SLIPWAY_CURL_PID" 2>/dev/null; exit 0' TERM
        next_state Running >/dev/null
        note "abort: stopping $target"
        stop_group "$script_pid"
      ) &
      watcher=$!
    fi
    wait "$script_pid"
    code=$?
    [ -z "$watcher" ] || kill "$watcher" 2>/dev/null
    note "$target ${script##*/} exited with $code"
    if [ "$code" -ne 0 ] && [ "$result" -eq 0 ]; then result=$code; fi
    [ "$code" -ne 0 ] && [ "$stop_on_failure" = 1 ] && break
  done
  stop_streamer
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
  archive=${TMPDIR:-/tmp}/slipway-report-$$.tar.gz
  tar -czf "$archive" -C "$REPORT_DIR" . 2>>"$BOOT_LOG"
  call_until_answered POST /api/machine/report -H 'Content-Type: application/gzip' --data-binary "@$archive"
  [ "$SLIPWAY_STATUS" = 201 ] || note "report upload answered HTTP $SLIPWAY_STATUS: $(slipway_error_message)"
  rm -f "$archive"
  complete SendingReport 0
}

note "machine $SLIPWAY_INSTANCE of run $SLIPWAY_RUN starting at $(date -u +%Y-%m-%dT%H:%M:%SZ)"
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
