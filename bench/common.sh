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
