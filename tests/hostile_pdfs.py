"""Small PDFs made to become big when read: the hostile corpus of ``extract``'s memory and time limits."""

from __future__ import annotations

import zlib

MB = 1024 * 1024


def _pdf(objects: dict[int, bytes], in_streams: dict[int, int]) -> bytes:
    """A PDF of these objects (bodies without ``n 0 obj``), with a cross-reference stream that names each object
    of ``in_streams`` as object 0 of the given object stream."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num, body in sorted(objects.items()):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref_num = max([*objects, *in_streams]) + 1
    offsets[xref_num] = len(out)
    rows = bytearray(b"\x00" + b"\x00\x00\x00\x00" + b"\xff\xff")
    for num in range(1, xref_num + 1):
        if num in in_streams:
            rows += b"\x02" + in_streams[num].to_bytes(4, "big") + (0).to_bytes(2, "big")
        elif num in offsets:
            rows += b"\x01" + offsets[num].to_bytes(4, "big") + b"\x00\x00"
        else:
            rows += b"\x00" * 7
    out += (b"%d 0 obj\n<</Type/XRef/Size %d/W[1 4 2]/Root 1 0 R/Length %d>>\nstream\n"
            % (xref_num, xref_num + 1, len(rows))) + rows + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_num]
    return bytes(out)


def _deflated(head: bytes, padding: int, tail: bytes) -> bytes:
    """``head`` + ``padding`` spaces + ``tail``, deflated a megabyte at a time."""
    packer = zlib.compressobj(9)
    out = [packer.compress(head)]
    block = b" " * MB
    for _ in range(padding // MB):
        out.append(packer.compress(block))
    out.append(packer.compress(tail))
    out.append(packer.flush())
    return b"".join(out)


#: What one object stream inflates to: under pypdf's 75 MB limit for one stream, which a file passes by having
#: many of them.
PER_STREAM = 70 * MB


def object_streams(streams: int, padding: int = PER_STREAM, before: bool = False) -> bytes:
    """A PDF whose form fields each lie in an object stream of their own, with ``padding`` bytes of whitespace
    (about 1 kB packed per MB): the reader inflates every stream and keeps it (``before=False``: memory), or first
    skips the whitespace a byte at a time (``before=True``: CPU time)."""
    objects = {2: b"<</Type/Pages/Kids[]/Count 0>>"}
    in_streams = {}
    fields = []
    for n in range(streams):
        field, stream = 100 + n, 1000 + n
        body = b"<</FT/Tx/T(f%d)/V(x)>>" % n
        header = b"%d 0 " % field
        data = (_deflated(header, padding, body) if before else _deflated(header + body, padding, b""))
        objects[stream] = (b"<</Type/ObjStm/N 1/First %d/Filter/FlateDecode/Length %d>>\nstream\n"
                           % (len(header), len(data)) + data + b"\nendstream")
        in_streams[field] = stream
        fields.append(b"%d 0 R" % field)
    objects[1] = b"<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[" + b" ".join(fields) + b"]>>>>"
    return _pdf(objects, in_streams)


def broken_xref(size: int) -> bytes:
    """A PDF of ``size`` bytes of small objects whose cross-reference table points nowhere: read by scanning."""
    out = bytearray(b"%PDF-1.7\n1 0 obj\n<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[]>>>>\nendobj\n"
                    b"2 0 obj\n<</Type/Pages/Kids[]/Count 0>>\nendobj\n")
    num = 3
    while len(out) < size:
        out += b"%d 0 obj\n<</A %d>>\nendobj\n" % (num, num)
        num += 1
    out += b"xref\n0 1\n0000000000 65535 f \ntrailer\n<</Size 3/Root 1 0 R>>\nstartxref\n999999999\n%%EOF\n"
    return bytes(out)
