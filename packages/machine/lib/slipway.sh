# Shared by the machine commands. POSIX sh + curl only: a machine needs no other runtime.
# Environment: SLIPWAY_API (base URL), SLIPWAY_TOKEN (this machine's token).

slipway_fail() { # exit-code message
  printf '%s: %s\n' "${0##*/}" "$2" >&2
  exit "$1"
}

slipway_require_env() {
  [ -n "${SLIPWAY_API:-}" ] || slipway_fail 2 "SLIPWAY_API is not set (source the machine environment first)"
  [ -n "${SLIPWAY_TOKEN:-}" ] || slipway_fail 6 "SLIPWAY_TOKEN is not set (source the machine environment first)"
}

# Keys and references use only these characters, so they go into URLs as they are.
slipway_check_reference() {
  case "$1" in
    '' | *[!A-Za-z0-9_.:*-]*) slipway_fail 2 "\"$1\" is not a valid key" ;;
  esac
}

SLIPWAY_BODY=""
SLIPWAY_NL='
'
# The call, its answer and status on stdout. It execs curl: call it only in a subshell
# ($(…) or &), whose pid is then curl's own.
slipway_curl() { # method path [curl args…]
  _method=$1
  _path=$2
  shift 2
  exec curl -sS -w "${SLIPWAY_NL}%{http_code}" -X "$_method" --speed-limit 1 \
    --speed-time "${SLIPWAY_STALL_SECONDS:-60}" -H "Authorization: Bearer $SLIPWAY_TOKEN" \
    "$@" "$SLIPWAY_API$_path" 2>/dev/null
}

# slipway_http METHOD PATH [curl args…]: sets SLIPWAY_STATUS (000 on a network error) and
# SLIPWAY_BODY (the response body, without trailing newlines). One curl and nothing else:
# starting a process is the dearest thing a machine does, and a thousand machines on one
# host do it together.
#
# A call that moves no byte for 60 s (SLIPWAY_STALL_SECONDS) is given up (000, which
# callers retry): a connection the API never took (a dropped handshake) would otherwise
# hang its command for good. Long polls pass their own --speed-time, longer than the poll.
#
# With SLIPWAY_HTTP_FILE set, curl is instead this shell's own background child, its pid in
# SLIPWAY_CURL_PID, and answers through that file (read back by the shell itself): a TERM
# trap can then stop a long poll at once, where finding the curl of a command substitution
# would mean searching /proc (pkill), a scan of every process on a host running thousands.
slipway_http() {
  if [ -z "${SLIPWAY_HTTP_FILE:-}" ]; then
    _out=$(slipway_curl "$@")
  else
    slipway_curl "$@" >"$SLIPWAY_HTTP_FILE" &
    SLIPWAY_CURL_PID=$!
    wait "$SLIPWAY_CURL_PID"
    SLIPWAY_CURL_PID=""
    _out=""
    _sep=""
    while IFS= read -r _line || [ -n "$_line" ]; do
      _out=$_out$_sep$_line
      _sep=$SLIPWAY_NL
    done <"$SLIPWAY_HTTP_FILE"
  fi
  case "$_out" in
    *"$SLIPWAY_NL"[0-9][0-9][0-9])
      SLIPWAY_STATUS=${_out##*"$SLIPWAY_NL"}
      SLIPWAY_BODY=${_out%"$SLIPWAY_NL"*}
      ;;
    *) SLIPWAY_STATUS=000 SLIPWAY_BODY= ;;
  esac
  while :; do
    case "$SLIPWAY_BODY" in
      *"$SLIPWAY_NL") SLIPWAY_BODY=${SLIPWAY_BODY%"$SLIPWAY_NL"} ;;
      *) break ;;
    esac
  done
}

# slipway_json_field NAME: the value of a string field of $SLIPWAY_BODY (no JSON parser).
slipway_json_field() {
  case "$SLIPWAY_BODY" in
    *"\"$1\":\""*)
      _rest=${SLIPWAY_BODY#*"\"$1\":\""}
      printf '%s\n' "${_rest%%\"*}"
      ;;
  esac
}

# The error message of a JSON error body, without a JSON parser.
slipway_error_message() {
  printf '%s' "$SLIPWAY_BODY" | sed -n 's/.*"message":"\(\([^"\\]\|\\.\)*\)".*/\1/p' | sed 's/\\"/"/g'
}

# HTTP status → SlipStream exit code (packages/contracts/src/machine-exit-codes.ts).
slipway_exit_code() {
  case "$1" in
    200 | 201) echo 0 ;;
    204) echo 1 ;;
    400) echo 2 ;;
    401 | 403) echo 6 ;;
    404 | 413 | 429) echo 7 ;;
    409) echo 8 ;;
    408) echo 9 ;;
    000) echo 4 ;;
    *) echo 5 ;;
  esac
}

# Whole seconds of a steady clock, into SLIPWAY_NOW: /proc/uptime read by the shell itself
# (no process to start, and no jump when the wall clock is set), else `date`.
slipway_now() {
  if read -r _uptime _ 2>/dev/null </proc/uptime; then
    SLIPWAY_NOW=${_uptime%%.*}
  else
    SLIPWAY_NOW=$(date +%s)
  fi
}
