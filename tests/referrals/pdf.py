"""Read what a compressed PDF says without a PDF library: inflate its streams and search them."""

import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def pdf_bytes_contain(data: bytes, needle: bytes) -> bool:
    if needle in data:
        return True
    for match in _STREAM.finditer(data):
        try:
            if needle in zlib.decompress(match.group(1)):
                return True
        except zlib.error:
            continue
    return False
