#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image. It
# installs everything grading needs, so that grading itself needs no network:
# the pinned requirements.txt, then the bundled autograder package. Running it
# again installs nothing new.
#
# Environment:
#   AUTOGRADER_OFFLINE=1  never use the network: install nothing if everything
#                         already imports; if only the autograder package is
#                         missing, install the bundled one without the package
#                         index; otherwise fail, saying what is missing. For
#                         images built without network and for local tests.
#   AUTOGRADER_PYTHON     the Python to install into (default: python3)
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${AUTOGRADER_PYTHON:-python3}"
DEPENDENCIES="@IMPORTS@"
# Ubuntu 24.04 images mark the system Python as externally managed; this
# image exists only to grade, so install into it anyway.
export PIP_BREAK_SYSTEM_PACKAGES=1

# Import as the sandboxed worker will: isolated mode (-I), so no PYTHONPATH and
# no current folder; only what is installed counts.
importable() {
    "$PYTHON" -I -c "import $1"
}

# Every submission's container starts from the image this script builds: byte-compile the
# graders, the reference and the package here, once, not in every grade (about 0.1 s of each).
precompile() {
    "$PYTHON" -m compileall -q "$SOURCE/autograder" "$SOURCE/assignments" "$SOURCE/reference" >/dev/null
}

if [ "${AUTOGRADER_OFFLINE:-0}" = "1" ]; then
    if importable "$DEPENDENCIES, autograder" 2>/dev/null; then
        precompile
        echo "setup.sh: offline mode, and $DEPENDENCIES, autograder all import with $PYTHON; nothing to install."
        exit 0
    fi
    if importable "$DEPENDENCIES" && importable "pip, setuptools"; then
        "$PYTHON" -m pip install --disable-pip-version-check --no-index --no-build-isolation --no-deps "$SOURCE"
        importable "autograder"
        precompile
        echo "setup.sh: offline mode; installed the bundled autograder package into $PYTHON without the package index."
        exit 0
    fi
    echo "setup.sh: offline mode, but the import above failed with $PYTHON; unset AUTOGRADER_OFFLINE to install from the package index, or install $SOURCE/requirements.txt first." >&2
    exit 1
fi

# requirements.txt pins the versions of the environment that built this zip.
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (@PYTHON_MAJOR@, @PYTHON_MINOR@))'; then
    echo "setup.sh: $("$PYTHON" --version 2>&1) is older than Python @PYTHON_MAJOR@.@PYTHON_MINOR@, on which requirements.txt was pinned; choose a Gradescope base image with Python >= @PYTHON_MAJOR@.@PYTHON_MINOR@, or rebuild the zip with the Python the image has." >&2
    exit 1
fi
if ! "$PYTHON" -m pip --version >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y python3-pip
fi

"$PYTHON" -m pip install --disable-pip-version-check --no-cache-dir -r "$SOURCE/requirements.txt"
"$PYTHON" -m pip install --disable-pip-version-check --no-cache-dir --no-deps "$SOURCE"
importable "$DEPENDENCIES, autograder"
precompile
echo "setup.sh: installed requirements.txt and the autograder package into $("$PYTHON" --version 2>&1)."
