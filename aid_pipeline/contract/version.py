"""The code version of the text logic: a digest of the files that decide what a stage writes (no Dagster import).

``text_code_version()`` → ``'t3f9a0c1d2e'``. It changes whenever a text module, a lexicon, the stage
functions, the stage schemas or their pandera models change, so the ledger knows which stored rows are stale and Dagster
marks the stage assets materialised with older code as stale in the UI.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]
# checks/schemas.py and vocab.py: the stage rows' pandera models decide which reports are quarantined (schema_violation)
_INPUTS = ("text/*.py", "data/*.json", "data/*.tsv", "data/*.csv", "runner/stages.py", "runner/batch.py",
           "warehouse/inbox.py", "contract/schemas.py", "contract/vocab.py")


@lru_cache(maxsize=1)
def text_code_version() -> str:
    digest = hashlib.sha256()
    for pattern in _INPUTS:
        for path in sorted(_PACKAGE.glob(pattern)):
            digest.update(path.relative_to(_PACKAGE).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    from .arrow import SCHEMAS, STAGES  # the stored layout, not the reading/writing code around it

    for name in STAGES:
        digest.update(f"{name}:{SCHEMAS[name]}".encode())
    return "t" + digest.hexdigest()[:12]
