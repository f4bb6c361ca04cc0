#!/bin/sh
# The compendium's virtual environment .venv: which Python builds it, whether the one there is
# complete and current, and how it is built (uv when it can be had, pip otherwise).
# The Makefile calls it; run from the repository root:
#
#   sh tools/venv.sh check [PYTHON]  "ok", or why .venv must be (re)built. Starts no Python unless
#                                     PYTHON (make's BOOTSTRAP_PYTHON) is given: it runs on every make.
#   sh tools/venv.sh pick [PYTHON]   the interpreter that builds .venv: PYTHON if given, else the
#                                     newest python3.X on PATH within pyproject.toml's requires-python
#                                     (CPython only); "error: ..." and exit 1 when there is none.
#   sh tools/venv.sh build [PYTHON]  delete .venv and build it from requirements.txt (the lock).
#   sh tools/venv.sh labconfig PREFIX  configure Jupyter in the environment at PREFIX (.venv or the
#                                     conda env): notebooks are saved as nbrun writes them.
#
# .venv/.installed is written last, holding the interpreter and the lock's SHA-256: a missing
# stamp means an interrupted or failed install, a different hash a changed lock, and either (or an
# interpreter that is gone, or PYTHON naming another one) makes `check` ask for a rebuild.
# INSTALLER=pip forces pip (the fallback when uv cannot be installed); INSTALLER=uv forbids it.
# Hand-written: venv + uv/pip are the tools; what no tool offers is choosing among the Pythons a
# machine has and telling a stale environment from a current one.
set -eu

VENV=.venv
STAMP=$VENV/.installed
LOCK=requirements.txt

# requires-python = ">=3.11.5,<3.14" -> MIN=3.11.5 BELOW=3.14 (one source of truth: pyproject.toml)
range=$(sed -n 's/^requires-python *= *">=\([0-9.]*\), *<\([0-9.]*\)".*/\1 \2/p' pyproject.toml)
MIN=${range% *}
BELOW=${range#* }
[ -n "$range" ] || { echo "error: pyproject.toml has no requires-python = \">=X.Y.Z,<X.Y\"" >&2; exit 1; }
MAJOR=${MIN%%.*}
rest=${MIN#*.}
MIN_MINOR=${rest%%.*}
BELOW_MINOR=${BELOW#*.}
TOP="$MAJOR.$((BELOW_MINOR - 1))"

# Prints "ok|no IMPLEMENTATION VERSION REAL-EXECUTABLE"; written to run on any Python, 2.7 included.
PROBE='import sys, os, platform
lo = tuple(int(x) for x in sys.argv[1].split("."))
hi = tuple(int(x) for x in sys.argv[2].split("."))
impl = platform.python_implementation()
ok = impl == "CPython" and tuple(sys.version_info[:3]) >= lo and tuple(sys.version_info[:len(hi)]) < hi
print("%s %s %s %s" % ("ok" if ok else "no", impl, platform.python_version(), os.path.realpath(sys.executable)))'

probe() {
    "$1" -c "$PROBE" "$MIN" "$BELOW" 2>/dev/null
}

hash_lock() {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum "$LOCK"; else shasum -a 256 "$LOCK"; fi | cut -d' ' -f1
}

need="CPython $MIN to $TOP"
how="install one (python.org, pyenv, or your package manager), or run: make BOOTSTRAP_PYTHON=/path/to/python3.X all"

# pick [PYTHON] -> "IMPLEMENTATION VERSION EXECUTABLE"
pick() {
    if [ -n "${1:-}" ]; then
        out=$(probe "$1") || { echo "error: BOOTSTRAP_PYTHON=$1 does not run as a Python; $how" >&2; return 1; }
        case $out in
            ok\ *) echo "${out#ok }"; return 0 ;;
            *) set -- "$1" $out
               echo "error: BOOTSTRAP_PYTHON=$1 is $3 $4, the compendium needs $need; $how" >&2; return 1 ;;
        esac
    fi
    tried=""
    minor=$((BELOW_MINOR - 1))
    while [ "$minor" -ge "$MIN_MINOR" ]; do
        cand="python$MAJOR.$minor"
        minor=$((minor - 1))
        command -v "$cand" >/dev/null 2>&1 || continue
        if out=$(probe "$cand"); then
            case $out in
                ok\ *) echo "${out#ok }"; return 0 ;;
                *) set -- $out; tried="$tried, $cand is $2 $3" ;;
            esac
        else
            tried="$tried, $cand does not run"
        fi
    done
    echo "error: no $need on PATH${tried:+ (${tried#, })}; $how" >&2
    return 1
}

check() {
    [ -d "$VENV" ] || { echo "there is no $VENV yet"; return 0; }
    [ -f "$STAMP" ] || { echo "$VENV is incomplete (an interrupted or failed install)"; return 0; }
    [ -x "$VENV/bin/python" ] || { echo "the Python $VENV was built with is gone"; return 0; }
    built=$(sed -n 's/^python //p' "$STAMP")
    [ "$(sed -n 's/^lock //p' "$STAMP")" = "$(hash_lock)" ] || { echo "$LOCK changed since $VENV was built"; return 0; }
    if [ -n "${1:-}" ]; then
        want=$(pick "$1" 2>&1) || { echo "$want"; return 0; }
        [ "$want" = "$built" ] || { echo "$VENV was built with ${built% *}, BOOTSTRAP_PYTHON is ${want% *}"; return 0; }
    fi
    echo ok
}

make_venv() {
    "$1" -m venv "$VENV" || {
        echo "error: '$1 -m venv' failed; install Python's venv module (Debian/Ubuntu: apt install python${version%.*}-venv)" >&2
        exit 1; }
}

# find_uv PYTHON -> the uv to install with: uv on PATH, else uv==(the lock's pin) pip-installed
# into build/uv/ by the chosen Python's pip, else into a new .venv by its ensurepip'd pip.
find_uv() {
    if command -v uv >/dev/null 2>&1; then command -v uv; return 0; fi
    pin=$(sed -n 's/^uv==\([^ ;]*\).*/\1/p' "$LOCK")
    tools=build/uv/$pin
    if [ ! -x "$tools/bin/uv" ]; then
        mkdir -p build
        log=build/uv-install.log
        if "$1" -m pip --version >/dev/null 2>&1; then
            PIP_ROOT_USER_ACTION=ignore "$1" -m pip install --quiet --disable-pip-version-check \
                --target "$tools" "uv==$pin" >"$log" 2>&1 || true
        fi
        if [ ! -x "$tools/bin/uv" ]; then
            make_venv "$1" >&2
            "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$pin" >"$log" 2>&1 || {
                [ "${INSTALLER:-auto}" != uv ] || { echo "error: uv==$pin could not be installed (INSTALLER=uv); see $log" >&2; exit 1; }
                return 1; }
            echo "$VENV/bin/uv"; return 0
        fi
    fi
    echo "$tools/bin/uv"
}

# Jupyter servers of this environment save notebooks through nbrun's pre-save hook, which drops
# the kernel's Python version that JupyterLab adds on opening: opening and saving a committed
# notebook then leaves its bytes unchanged (tests/test_jupyterlab.py).
labconfig() {
    "$1/bin/python" - "$1/etc/jupyter/jupyter_server_config.json" <<'EOF'
import json, sys
from pathlib import Path
path = Path(sys.argv[1])
config = json.loads(path.read_text()) if path.is_file() else {}
config.setdefault("ContentsManager", {})["pre_save_hook"] = "tweetstorm.nbrun.lab_pre_save"
path.parent.mkdir(parents=True, exist_ok=True)
path.write_text(json.dumps(config, indent=2) + "\n")
EOF
}

build() {
    chosen=$(pick "${1:-}")
    set -- $chosen
    impl=$1 version=$2
    exe=${chosen#* * }
    echo "building $VENV with $impl $version ($exe) from $LOCK"
    rm -rf "$VENV"
    uv=""
    case ${INSTALLER:-auto} in
        pip) ;;
        *) uv=$(find_uv "$exe") || uv=""
           [ -n "$uv" ] || [ "${INSTALLER:-auto}" != uv ] || exit 1 ;;
    esac
    if [ -n "$uv" ]; then
        [ -d "$VENV" ] || "$uv" venv --quiet --python "$exe" "$VENV"
        "$uv" pip install --quiet --python "$VENV/bin/python" -r "$LOCK"
        "$uv" pip install --quiet --python "$VENV/bin/python" --no-deps --no-build-isolation --editable .
    else
        [ "${INSTALLER:-auto}" = pip ] || echo "note: uv could not be installed; installing with pip instead (slower)" >&2
        make_venv "$exe"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$LOCK"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --editable .
    fi
    labconfig "$VENV"
    printf 'python %s\nlock %s\n' "$chosen" "$(hash_lock)" > "$STAMP.tmp"
    mv "$STAMP.tmp" "$STAMP"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
    check) check "${1:-}" ;;
    pick) pick "${1:-}" ;;
    build) build "${1:-}" ;;
    labconfig) labconfig "$1" ;;
    *) echo "usage: sh tools/venv.sh check|pick|build [PYTHON] | labconfig PREFIX" >&2; exit 2 ;;
esac
