// The bash functions every plan script starts with. They carry the script's promises:
// destructive steps are announced and confirmed, a step whose verify already holds is
// skipped (so a re-run after a failure finishes the job), files are replaced atomically
// with a timestamped backup and only if nobody changed them since the plan was made.
// Kept free of `${` so it reads as plain bash inside this template literal.

export const SCRIPT_PRELUDE = `YES=0
MODE=apply
for arg in "$@"; do
  case "$arg" in
    --yes) YES=1 ;;
    --rollback) MODE=rollback ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d'
      exit 0
      ;;
    *)
      echo "unknown argument: $arg (use --yes, --rollback or --help)" >&2
      exit 2
      ;;
  esac
done

say() { printf '%s\\n' "$*" >&2; }
die() {
  printf 'FAILED: %s\\n' "$*" >&2
  exit 1
}

# Destructive steps ask first; --yes answers for scripts. No terminal and no --yes: stop.
confirm() {
  say "  !! $1"
  if [[ $YES == 1 ]]; then return 0; fi
  local answer=''
  if ! { exec 3</dev/tty; } 2>/dev/null; then
    die "this step needs a yes and there is no terminal to ask: run it in a terminal, or pass --yes"
  fi
  read -r -p "  Go ahead? [y/N] " answer <&3 || true
  exec 3<&-
  [[ $answer == [yY]* ]] || die "stopped before: $2 (nothing in it was done; run the script again to continue)"
}

# A verify line that does not hold names itself: the script's own line, read back.
LAST_FAILED=''
failed() {
  LAST_FAILED="line $1"
  if [[ -r $0 ]]; then LAST_FAILED=$(sed -n "$1{s/ || { failed .*//;s/^ *//;p}" "$0"); fi
  return 1
}

# run_step N TITLE KIND WARNING: change steps whose verify already holds are skipped.
run_step() {
  local n=$1 title=$2 kind=$3 warning=$4
  say ""
  say "[$n/$TOTAL] $title"
  if [[ $kind == change ]] && "verified_$n"; then
    say "  already done"
    return 0
  fi
  if [[ -n $warning ]]; then confirm "$warning" "$title"; fi
  "do_$n"
  "verified_$n" || die "step $n ($title) did not take effect: $LAST_FAILED"
  say "  ok"
}

docker_up() { docker info >/dev/null 2>&1; }
engine_down() { ! docker_up; }
docker_info() { docker info --format "$1" 2>/dev/null; }
driver_status() {
  docker info --format '{{range .DriverStatus}}{{index . 0}}={{index . 1}}{{println}}{{end}}' 2>/dev/null |
    sed -n "s|^$1=||p"
}

wait_until() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || die "$what did not happen within $seconds s"
    sleep 1
  done
}

sha_of() {
  if [[ -e $1 ]]; then sha256sum <"$1" | cut -d' ' -f1; else echo absent; fi
}

# replace_file PATH SHA: the new text comes on stdin. Refuses when PATH is neither what the
# plan saw (SHA) nor the new text already: someone changed it since, make the plan again.
replace_file() {
  local path=$1 planned=$2 tmp current backup
  mkdir -p "$(dirname "$path")"
  tmp=$(mktemp "$path.dockwarden-new.XXXXXX")
  cat >"$tmp"
  if [[ -e $path ]] && cmp -s "$tmp" "$path"; then
    rm -f "$tmp"
    return 0
  fi
  current=$(sha_of "$path")
  if [[ $current != "$planned" ]]; then
    rm -f "$tmp"
    die "$path changed since this plan was made (sha256 $current, planned from $planned): make the plan again"
  fi
  if [[ -e $path ]]; then
    backup="$path.dockwarden-$(date -u +%Y%m%dT%H%M%SZ)"
    cp -p "$path" "$backup"
    chmod --reference="$path" "$tmp"
    chown --reference="$path" "$tmp"
    say "  $path saved as $backup"
  else
    chmod 0644 "$tmp"
  fi
  sync "$tmp"
  mv -f "$tmp" "$path"
}

# remove_file PATH SHA: deletes a file this plan created, if it still holds what it wrote.
remove_file() {
  [[ -e $1 ]] || return 0
  [[ "$(sha_of "$1")" == "$2" ]] || die "$1 changed since this plan wrote it: remove it by hand if it should go"
  rm -f "$1"
}
`;
