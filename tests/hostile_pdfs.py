"""Hostile PDFs for tests/test_hostile.py, built byte by byte (raw objects) or with PyMuPDF."""

from __future__ import annotations

import zlib

import pymupdf


def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF file of numbered objects (1..n) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def stream(dict_body: bytes, data: bytes) -> bytes:
    """A stream object body."""
    return b"<< " + dict_body + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def nested_forms(fanout: int = 10, depth: int = 7, *, before: int = 0) -> bytes:
    """A page whose content draws form 1, which draws form 2 ``fanout`` times, ... ``depth`` levels deep."""
    # objects: 1 catalog, 2 pages, 3 font, 4.. forms (depth), then filler pages and the bomb page
    objs: list[bytes] = [b"", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    first_form = 4
    for level in range(depth):
        me = first_form + level
        if level == depth - 1:
            body = b"BT /F1 4 Tf 0 0 Td (Figure 1: leaf text) Tj ET 0 0 m 5 5 l S"
            res = b"/Resources << /Font << /F1 3 0 R >> >>"
        else:
            body = b" ".join(b"q 0.5 0 0 0.5 %d %d cm /X Do Q" % (i, i) for i in range(fanout))
            res = b"/Resources << /XObject << /X %d 0 R >> /Font << /F1 3 0 R >> >>" % (me + 1)
        objs.append(stream(b"/Type /XObject /Subtype /Form /BBox [0 0 600 800] " + res, body))
    kids = []
    normal = b"BT /F1 11 Tf 72 720 Td (An ordinary page of text for the review prompt.) Tj ET"
    for _ in range(before):
        objs.append(stream(b"", normal))
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                    b"/Resources << /Font << /F1 3 0 R >> >> >>" % (len(objs)))
        kids.append(len(objs))
    objs.append(stream(b"", b"/F0 Do"))
    objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                b"/Resources << /XObject << /F0 %d 0 R >> /Font << /F1 3 0 R >> >> >>" % (len(objs), first_form))
    kids.append(len(objs))
    objs[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(kids), b" ".join(b"%d 0 R" % k for k in kids))
    return raw_pdf(objs)


def _image_page(image_dict: bytes, image_data: bytes, extra: tuple[bytes, ...] = ()) -> bytes:
    content = b"BT /F1 9 Tf 72 400 Td (Figure 1: A large scan.) Tj ET q 400 300 0 0 100 420 cm /Im0 Do Q"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /XObject << /Im0 5 0 R >> /Font << /F1 6 0 R >> >> >>",
        stream(b"", content),
        stream(image_dict, image_data),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *extra,
    ]
    return raw_pdf(objs)


def _zeros(nbytes: int) -> bytes:
    z = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    parts = [z.compress(chunk) for _ in range(nbytes >> 20)]
    return b"".join(parts) + z.compress(bytes(nbytes & ((1 << 20) - 1))) + z.flush()


def image_bomb(side: int = 30_000) -> bytes:
    """An RGB image of side x side pixels (2.7 GB decoded) in a few MB of Flate."""
    data = _zeros(side * side * 3)
    return _image_page(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
                       b"/BitsPerComponent 8 /Filter /FlateDecode" % (side, side), data)


def smask_bomb(side: int = 30_000) -> bytes:
    """A 2x2 image whose soft mask is side x side (0.9 GB decoded)."""
    mask = _zeros(side * side)
    return _image_page(
        b"/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceRGB /BitsPerComponent 8 "
        b"/SMask 7 0 R", bytes(12),
        (stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Filter /FlateDecode" % (side, side), mask),))


def many_pages(n: int = 2000) -> bytes:
    """``n`` small text pages."""
    doc = pymupdf.open()
    for i in range(n):
        doc.new_page().insert_text((72, 72), f"Page {i + 1}")
    return doc.tobytes(garbage=1)


def huge_page(points: int = 20_000) -> bytes:
    """One page 20000 x 20000 points (PDF's own limit is 14400), with a figure-like caption and drawing."""
    doc = pymupdf.open()
    page = doc.new_page(width=points, height=points)
    page.draw_rect(pymupdf.Rect(100, 100, points - 100, points / 2), color=(0, 0, 1), fill=(0.8, 0.8, 1))
    page.insert_text((100, points / 2 + 40), "Figure 1: A page as large as a wall.", fontsize=30)
    return doc.tobytes()


def encrypted() -> bytes:
    """AES-256 with a user password."""
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret")
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")


def truncated() -> bytes:
    """The first half of a three-page PDF (no cross-reference table, no trailer)."""
    doc = pymupdf.open()
    for _ in range(3):
        doc.new_page().insert_text((72, 72), "Figure 1: cut off")
    data = doc.tobytes()
    return data[: len(data) // 2]
