"""pdfplumber's character records, built faster and byte-for-byte the same.

pdfplumber turns every pdfminer ``LTChar`` into a dict through ``Page.process_object``, which resolves every
attribute recursively and decodes the colour-space name again for each character. On our letters that is about
two thirds of a page's reading time, more than pdfminer's own parsing. :func:`use_fast_chars` gives one page a
conversion that skips the work that cannot change the result (plain numbers and strings need no resolving; a
colour-space name decodes the same every time) and leaves every other kind of object to pdfplumber.
It is used only with the pdfplumber versions it was checked against (``tests/test_pdfchars.py`` compares it with
pdfplumber's own records on the corpus PDFs); with any other version pdfplumber's method runs unchanged.
Import this module only where pdfplumber is needed anyway (it imports pdfplumber).
"""

from __future__ import annotations

from functools import lru_cache
from types import MethodType
from typing import Any
from unicodedata import normalize as normalize_unicode

import pdfplumber
from pdfminer.layout import LTChar
from pdfplumber.page import ALL_ATTRS, Page
from pdfplumber.utils.pdfinternals import resolve_all, resolve_and_decode

CHECKED_VERSIONS = ("0.11.",)
_PLAIN_TYPES = frozenset((float, int, str, bool, type(None)))


def fast_chars_supported() -> bool:
    """True when the installed pdfplumber is one this conversion was checked against."""
    return str(pdfplumber.__version__).startswith(CHECKED_VERSIONS)


def use_fast_chars(page: Any) -> None:
    """Give this pdfplumber page the fast character conversion (no effect on an unchecked pdfplumber version)."""
    if fast_chars_supported():
        page.process_object = MethodType(char_record, page)


def _is_plain(value: Any) -> bool:
    kind = type(value)
    return kind in _PLAIN_TYPES or (kind is tuple and all(type(item) in _PLAIN_TYPES for item in value))


@lru_cache(maxsize=256)  # bounded: a hostile PDF may name thousands of colour spaces
def _decoded_hashable_name(name: Any) -> Any:
    return resolve_and_decode(name)


def _decoded_name(name: Any) -> Any:
    try:
        return _decoded_hashable_name(name)
    except TypeError:  # an unhashable name: decode it each time, as pdfplumber does
        return resolve_and_decode(name)


def char_record(page: Any, obj: Any) -> dict[str, Any]:
    """pdfplumber's ``Page.process_object`` for one layout object, with a fast path for characters.

    The steps for a character are pdfplumber 0.11's, in its order: the attributes it keeps, the colour spaces,
    the text (Unicode-normalised when asked), the stroking and non-stroking colours, and the top/bottom
    coordinates relative to the page's MediaBox.
    """
    if type(obj) is not LTChar:
        return Page.process_object(page, obj)
    attr: dict[str, Any] = {
        key: value if _is_plain(value) else resolve_all(value)
        for key, value in obj.__dict__.items()
        if key in ALL_ATTRS
    }
    attr["object_type"] = "char"
    attr["page_number"] = page.page_number
    for space in ("ncs", "scs"):
        if hasattr(obj, space):
            attr[space] = _decoded_name(getattr(obj, space).name)
    text = obj.get_text()
    norm = page.pdf.unicode_norm
    attr["text"] = normalize_unicode(norm, text) if norm is not None else text
    state = obj.graphicstate
    attr["stroking_color"] = state.scolor if isinstance(state.scolor, tuple) else (state.scolor,)
    attr["non_stroking_color"] = state.ncolor if isinstance(state.ncolor, tuple) else (state.ncolor,)
    if isinstance(attr.get("fontname"), bytes):
        return Page.process_object(page, obj)  # rare byte-encoded font names: pdfplumber's own repair
    mb_x0, mb_top = page.mediabox[:2]
    if "y0" in attr:
        attr["top"] = (page.height - attr["y1"]) + mb_top
        attr["bottom"] = (page.height - attr["y0"]) + mb_top
        attr["doctop"] = page.initial_doctop + attr["top"]
    if "x0" in attr and mb_x0 != 0:
        attr["x0"] = attr["x0"] + mb_x0
        attr["x1"] = attr["x1"] + mb_x0
    return attr
