"""denialparse: turn a health-insurance denial letter into a fight-back plan.

The library API is the facade in :mod:`denialparse.api` (``analyze``, ``draft_letter``, ``classify_texts``);
names are imported lazily so that ``import denialparse`` and ``denialparse --help`` stay fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = {"analyze", "analyze_text", "classify_texts", "draft_letter", "recommend_for", "AnalysisResult"}

__all__ = ["__version__", *sorted(_API)]


def __getattr__(name: str) -> Any:
    if name in _API:
        from denialparse import api

        return getattr(api, name)
    raise AttributeError(f"module 'denialparse' has no attribute {name!r}")
