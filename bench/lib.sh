# shellcheck shell=bash
# Helpers shared by the benchmarks: a private, socket-only PostgreSQL
# cluster (never the machine's own) and a clean user environment.
# Same approach as tools/demo. Source it from bash; it defines functions
# and variables only:
#
#   bench_pg_start DIR [FSYNC]
#                        initdb + start a cluster in DIR (made by mktemp -d
#                        under /tmp); exports PGHOST and PGUSER. FSYNC is
#                        off (the default: nothing waits for the disk) or
#                        on (as production-like machines run)
#   bench_pg_stop        stop it (immediate); safe to call more than once
#   bench_user_env DIR   HOME, HALFORM_CONF_DIR and git identity under DIR
#   bench_unset_env      drop PG* and GIT_* inherited from the caller
#   bench_copy_stage BUILD_DIR DEST
#                        a private copy of the staged install
#   bench_half_orm BUILD_DIR
#                        half_orm on PYTHONPATH for the generated tests;
#                        sets bench_half_orm_from

bench_pg_bindir=$(pg_config --bindir)
bench_pg_dir=
bench_pg_started=0

# Run a command as the cluster owner: postgres when we are root.
bench_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd "$bench_pg_dir" && runuser -u postgres -- "$@")
  else
    (cd "$bench_pg_dir" && "$@")
  fi
}

bench_unset_env() {
  local var
  while IFS= read -r var; do
    unset "$var"
  done < <(compgen -e | grep -E '^(PG|GIT_)' || true)
}

bench_pg_start() {
  bench_pg_dir=$1
  local fsync=${2:-off}
  [[ $fsync == on || $fsync == off ]] || {
    echo "bench_pg_start: fsync must be on or off, not '$fsync'" >&2
    return 1
  }
  mkdir "$bench_pg_dir/sock"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$bench_pg_dir" "$bench_pg_dir/sock"
  fi
  bench_as_owner "$bench_pg_bindir/initdb" -D "$bench_pg_dir/data" -U postgres \
    -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  bench_pg_started=1
  if ! bench_as_owner "$bench_pg_bindir/pg_ctl" -w -D "$bench_pg_dir/data" \
    -l "$bench_pg_dir/postgres.log" \
    -o "-c listen_addresses='' -k $bench_pg_dir/sock -c port=5432 -c fsync=$fsync" \
    start >/dev/null; then
    cat "$bench_pg_dir/postgres.log" >&2 || true
    return 1
  fi
  export PGHOST=$bench_pg_dir/sock
  export PGUSER=postgres
}

bench_pg_stop() {
  if ((bench_pg_started)); then
    bench_as_owner "$bench_pg_bindir/pg_ctl" -D "$bench_pg_dir/data" \
      -m immediate stop >/dev/null 2>&1 || true
    bench_pg_started=0
  fi
}

bench_user_env() {
  local dir=$1
  export HOME=$dir/home
  export HALFORM_CONF_DIR=$dir/halform
  export LANG=C.UTF-8
  export GIT_CONFIG_NOSYSTEM=1
  export PAGER=cat GIT_PAGER=cat
  mkdir -p "$HOME" "$HALFORM_CONF_DIR"
  cat >"$HOME/.gitconfig" <<'EOF'
[user]
	name = git-hop bench
	email = bench@example.invalid
[init]
	defaultBranch = main
EOF
}

# A private copy of the staged install in DEST: others may re-run
# tools/setup (which empties the stage) while we measure. git-hop finds its
# data next to its binary, so the copy is complete. Waits a little if a
# setup is under way. Usage: bench_copy_stage BUILD_DIR DEST
bench_copy_stage() {
  local build_dir=$1 dest=$2 _
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    [[ -x $build_dir/stage/usr/local/bin/git-hop ]] &&
      cp -a "$build_dir/stage/usr/local" "$dest" 2>/dev/null &&
      [[ -x $dest/bin/git-hop ]] && return 0
    rm -rf "$dest"
    sleep 1
  done
  echo "bench: error: no staged git-hop in $build_dir/stage (run tools/setup)" >&2
  return 1
}

# half_orm for the generated package's tests, which release runs (design
# §12): HOP_HALF_ORM (a folder put on PYTHONPATH), else the half_orm that
# /usr/bin/python3 imports, else the venv tools/setup made in BUILD_DIR.
# Usage: bench_half_orm BUILD_DIR; sets bench_half_orm_from (where it comes
# from); fails with a hint when there is none.
# shellcheck disable=SC2034 # bench_half_orm_from is read by the scripts
bench_half_orm() {
  local build_dir=$1 site
  if [[ -n ${HOP_HALF_ORM:-} ]]; then
    export PYTHONPATH=$HOP_HALF_ORM${PYTHONPATH:+:$PYTHONPATH}
    bench_half_orm_from="HOP_HALF_ORM=$HOP_HALF_ORM"
  elif /usr/bin/python3 -c 'import half_orm' 2>/dev/null; then
    bench_half_orm_from="importable by /usr/bin/python3"
  elif [[ -x $build_dir/half_orm-venv/bin/python3 ]] &&
    site=$("$build_dir/half_orm-venv/bin/python3" -c \
      'import half_orm, os; print(os.path.dirname(os.path.dirname(half_orm.__file__)))' 2>/dev/null); then
    export PYTHONPATH=$site${PYTHONPATH:+:$PYTHONPATH}
    bench_half_orm_from="$site (tools/setup's venv)"
  else
    echo "bench: error: no half_orm: release runs the generated package's tests" >&2
    echo "hint: set HOP_HALF_ORM to a folder holding half_orm, or run tools/setup (it installs one)" >&2
    return 1
  fi
}
