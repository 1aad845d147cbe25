#!/usr/bin/env bash
# Compiles the firmware with the Moddable SDK's real mcconfig for the Linux host target (-p lin):
# the manifest, the embedded data and every TypeScript module under mcconfig's strict tsc run.
# Without an installed SDK ($MODDABLE) it says why it skipped and exits 3, so that a skip is never
# mistaken for a pass: exit 0 compiled, 1 failed, 3 skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

skip() {
  echo "check:sdk SKIPPED (nothing was checked): $1" >&2
  exit 3
}

[ -n "${MODDABLE:-}" ] || skip "MODDABLE is not set (install the Moddable SDK and export MODDABLE=/path/to/moddable)"
[ -d "$MODDABLE/modules" ] || skip "MODDABLE=$MODDABLE does not look like a Moddable SDK (no modules/ directory)"
tools="$MODDABLE/build/bin/lin/release"
[ -x "$tools/mcconfig" ] || skip "no $tools/mcconfig: build the SDK's host tools first (cd \$MODDABLE/build/makefiles/lin && make)"

# mcconfig runs tsc from PATH: use this project's TypeScript (mcconfig asks for es2025).
export PATH="$tools:$PWD/node_modules/.bin:$PATH"
out="${CHECK_SDK_OUT:-${TMPDIR:-/tmp}/https-fetch-check-sdk}"
mkdir -p "$out"
echo "check:sdk: mcconfig -m -p lin (output in $out)"
# Any ssid/password will do: this checks the build, nothing runs.
mcconfig -m -p lin -o "$out" ssid=check-sdk password=check-sdk-password
echo "check:sdk: OK, the firmware compiles with mcconfig -p lin (SDK at $MODDABLE)"
# The example app that uses the client through manifest_client.json (docs/client.md).
mkdir -p "$out/example-post-json"
echo "check:sdk: mcconfig -d -m -p lin examples/post-json/manifest.json"
mcconfig -d -m -p lin -o "$out/example-post-json" examples/post-json/manifest.json
echo "check:sdk: OK, examples/post-json compiles with mcconfig -p lin (run it: npx tsx tools/sdk/example-check.ts)"
