"""Hand-built hostile PDFs: a decompression bomb, deep nesting and page floods, written object by object.

reportlab refuses to write such files, so these are assembled from raw PDF syntax with a valid xref table.
"""

from __future__ import annotations

import zlib

TEXT_OPERATORS = b"BT /F1 12 Tf 72 700 Td (Your claim is denied) Tj ET\n"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def assemble(objects: list[bytes]) -> bytes:
    """Objects numbered from 1 (the first is the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, *, compressed: bool = False) -> bytes:
    flate = b" /Filter /FlateDecode" if compressed else b""
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), flate, data)


def one_page(content: bytes, *, compressed: bool = False) -> bytes:
    """A one-page PDF whose page draws ``content`` (a content stream) in Helvetica."""
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            _stream(content, compressed=compressed),
            _FONT,
        ]
    )


def decompression_bomb(expanded_mb: int) -> bytes:
    """A short text followed by ``expanded_mb`` MB of spaces, deflated to about a thousandth of that."""
    deflate = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    data = deflate.compress(TEXT_OPERATORS) + b"".join(deflate.compress(chunk) for _ in range(expanded_mb))
    return one_page(data + deflate.flush(), compressed=True)


def nested_content(depth: int) -> bytes:
    """A readable page whose content stream ends in ``depth`` nested arrays."""
    return one_page(TEXT_OPERATORS + b"[" * depth + b"]" * depth)


def deep_page_tree(depth: int) -> bytes:
    """A page tree ``depth`` levels deep (/Pages inside /Pages ...), which recursive readers cannot walk."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    objects += [b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (level + 3) for level in range(depth)]
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] >>" % (depth + 1))
    return assemble(objects)


def many_pages(count: int) -> bytes:
    """``count`` pages sharing one small content stream."""
    kids = b" ".join(b"%d 0 R" % (index + 5) for index in range(count))
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R"
        b" /Resources << /Font << /F1 4 0 R >> >> >>"
    )
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
            _stream(TEXT_OPERATORS),
            _FONT,
            *[page] * count,
        ]
    )
