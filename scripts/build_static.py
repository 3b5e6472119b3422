"""Build ``build/static/``: every static file under a content-hashed name too, with brotli and
gzip copies, and ``build/static-manifest.json`` (see ``core.static_files``).

Run from the repository root after ``scripts/install_assets.py`` (``make install`` does both)::

    python scripts/build_static.py
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from core.static_files import build  # noqa: E402

if __name__ == "__main__":
    build(log=print)
