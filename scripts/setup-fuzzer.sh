#!/usr/bin/env bash
# Installs Schemathesis (the API fuzzer tests/api/fuzz.test.ts runs against the OpenAPI document)
# into ./.fuzz. Idempotent: a no-op when the pinned version is there.
set -euo pipefail
SCHEMATHESIS_VERSION=4.32.5
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.fuzz"
if [[ -x "$VENV/bin/schemathesis" && "$("$VENV/bin/schemathesis" --version 2>/dev/null)" == *"version $SCHEMATHESIS_VERSION" ]]; then
  printf 'setup: schemathesis %s present\n' "$SCHEMATHESIS_VERSION"
  exit 0
fi
printf 'setup: installing schemathesis==%s into .fuzz ...\n' "$SCHEMATHESIS_VERSION"
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input "schemathesis==$SCHEMATHESIS_VERSION"
"$VENV/bin/schemathesis" --version >/dev/null || { printf 'setup: ERROR: schemathesis did not install\n' >&2; exit 1; }
