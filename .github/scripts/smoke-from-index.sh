#!/usr/bin/env bash
# Installs one released version of the recorder from a package index into a fresh venv (no local files, no
# cache), pinned to the hashes of the files the release built (--require-hashes, a requirements file written by
# verify-dist.mjs), wheels only (this platform's wheel must be on the index), and runs the CLI smoke: --help,
# --version, and recording a tiny script into a trace. It runs in jobs without publishing rights.
# Usage: smoke-from-index.sh <index-url> <requirements-file-with-hashes> <python-executable>
# Retries the install for a few minutes: an index may list a new file a little after the upload returned.
set -euo pipefail

index_url=$1
requirements=$2
python=$3
work=$(mktemp -d)

"$python" -m venv "$work/venv"
venv_python="$work/venv/bin/python"
[[ -x $venv_python ]] || venv_python="$work/venv/Scripts/python.exe"

for attempt in 1 2 3 4 5 6 7 8; do
  if "$venv_python" -m pip install --disable-pip-version-check --no-cache-dir --no-deps --only-binary=:all: \
    --require-hashes --index-url "$index_url" --requirement "$requirements"; then
    break
  fi
  if [[ $attempt == 8 ]]; then
    echo "smoke-from-index: $(head -n 1 "$requirements" | cut -d ' ' -f 1) is not installable from $index_url with the release's hashes after $attempt attempts" >&2
    exit 1
  fi
  sleep 30
done

"$venv_python" -m codetracer_python_recorder --help
"$venv_python" -m codetracer_python_recorder --version

cat >"$work/hello.py" <<'PY'
def square(value):
    return value * value


print(sum(square(n) for n in range(5)))
PY
"$venv_python" -m codetracer_python_recorder --trace-dir "$work/trace" "$work/hello.py"
if [[ -z $(ls -A "$work/trace") ]]; then
  echo "smoke-from-index: recording hello.py left $work/trace empty" >&2
  exit 1
fi
echo "smoke-from-index: $("$venv_python" -m pip show codetracer-python-recorder | sed -n 's/^Version: //p') from $index_url works on $("$venv_python" -c 'import platform; print(platform.platform(), platform.python_version())')"
