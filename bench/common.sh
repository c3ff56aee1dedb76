# Shared by the bench scripts (sourced, not run): Debian tools on demand, a work folder removed on
# exit together with the hub it started, a Release build of the hub, and a free loopback port.

# need_apt TOOL [PACKAGE]: installs PACKAGE (default TOOL) from Debian when TOOL is not on PATH.
need_apt() {
  local tool=$1 package=${2:-$1}
  if ! command -v "$tool" > /dev/null; then
    echo "installing $package (apt-get)..." >&2
    (apt-get install -y "$package" || { apt-get update && apt-get install -y "$package"; }) > /dev/null
  fi
}

work=$(mktemp -d)
hub_pid=
cleanup() {
  if [[ -n "$hub_pid" ]] && kill -0 "$hub_pid" 2> /dev/null; then
    kill "$hub_pid" && wait "$hub_pid" 2> /dev/null || true
  fi
  # KEEP_LOG=FILE: keep the hub's output (it is otherwise removed with the work folder).
  if [[ -n "${KEEP_LOG:-}" && -f "$work/hub.log" ]]; then cp "$work/hub.log" "$KEEP_LOG"; fi
  # KEEP_DATA=DIR: keep the hub's data folder (the SQLite file) for inspection.
  if [[ -n "${KEEP_DATA:-}" && -d "$work/data" ]]; then rm -rf "$KEEP_DATA" && cp -r "$work/data" "$KEEP_DATA"; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "building Release..." >&2
dotnet build -c Release src/SupportHub.Functions -v q -nologo > "$work/build.log" || { cat "$work/build.log"; exit 1; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

# start_hub PREFIX POLICY [VAR=VALUE ...]: starts the built hub on $base with a data folder under
# $work, the policy POLICY, known secrets named after PREFIX (sets $api_key and $chat_secret) and any
# extra settings given; waits until /healthz answers (or prints the hub's log and exits).
start_hub() {
  local prefix=$1 policy=$2
  shift 2
  api_key="$prefix-api-key-0123456789"
  chat_secret="$prefix-chat-secret-0123456789"
  env SupportHub__DataPath="$work/data" \
    SupportHub__Policy="$policy" \
    SupportHub__ApiKey="$api_key" \
    SupportHub__Secrets__Email="$prefix-email-secret-0123456789" \
    SupportHub__Secrets__Chat="$chat_secret" \
    SupportHub__Secrets__Phone="$prefix-phone-secret-0123456789" \
    SupportHub__Secrets__Sms="$prefix-sms-secret-0123456789" \
    ASPNETCORE_URLS="$base" \
    Logging__LogLevel__Default=Warning \
    "$@" \
    dotnet src/SupportHub.Functions/bin/Release/net10.0/SupportHub.Functions.dll > "$work/hub.log" 2>&1 &
  hub_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "$base/healthz" > /dev/null 2>&1 && return 0
    kill -0 "$hub_pid" 2> /dev/null || { cat "$work/hub.log"; exit 1; }
    sleep 0.2
  done
}
