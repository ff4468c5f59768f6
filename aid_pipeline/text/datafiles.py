"""The rule and lexicon tables in ``aid_pipeline/data/``, read one way for every module."""

from __future__ import annotations

import json
from importlib import resources


def load_json(name: str) -> dict:
    """A parsed data file, fresh each call (callers may add compiled entries): ``load_json("units.json")["units"]``."""
    return json.loads(resources.files("aid_pipeline.data").joinpath(name).read_text(encoding="utf-8"))
