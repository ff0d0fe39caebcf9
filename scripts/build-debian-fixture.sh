#!/usr/bin/env bash
# The VM test fixture: Kiln's debootstrap base (Debian 12, defaults), built once and cached.
# Prints the raw disk's path. The recipe lives with the code that builds it for `source:
# debootstrap` (core/src/main/resources/dev/kiln/core/debootstrap-base.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$here/../core/src/main/resources/dev/kiln/core/debootstrap-base.sh"
