"""Every upload goes through process_image: only real photos, capped, re-encoded without EXIF."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from clients.images import process_image


def _jpeg_with_gps(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x8825] = {1: "S", 2: (2.0, 9.0, 0.0), 3: "E", 4: (117.0, 29.0, 0.0)}  # GPS: Tanjung Redeb
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def _upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_phone_photo_is_re_encoded_without_its_gps_location():
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif()
    result = process_image(_upload(original))
    stored = Image.open(io.BytesIO(result.image.read()))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert b"PhoneMaker" not in result.image.read()
    thumb = Image.open(io.BytesIO(result.thumbnail.read()))
    assert max(thumb.size) <= 320


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "photo.jpg"),  # a PDF with a photo's name
        (b"MZ\x90\x00\x03" + b"\x00" * 200, "photo.png"),  # an executable
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "photo.svg"),
        (b"GIF89a<script>alert(1)</script>", "photo.gif"),  # a GIF header with nothing valid after it
        (b"", "empty.jpg"),
    ],
)
def test_what_is_not_a_photo_is_refused_with_a_clear_message(data, name):
    with pytest.raises(ValidationError) as error:
        process_image(_upload(data, name=name))
    assert error.value.messages[0]


def test_a_jpeg_with_a_zip_appended_loses_the_payload():
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr("evil.sh", "rm -rf /")
    polyglot = _jpeg_with_gps() + payload.getvalue()
    result = process_image(_upload(polyglot))
    assert b"evil.sh" not in result.image.read()


def test_an_oversized_file_is_refused_before_it_is_decoded():
    big = _upload(b"\xff\xd8" + b"\x00" * (2 * 1024 * 1024))
    with pytest.raises(ValidationError) as error:
        process_image(big, max_bytes=1024 * 1024)
    assert error.value.code == "too_large"


def test_a_decompression_bomb_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, format="PNG")  # tiny file, 144 megapixels
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(ValidationError) as error:
        process_image(_upload(data, name="bomb.png", content_type="image/png"), max_pixels=40_000_000)
    assert error.value.code in {"pixels", "not_image"}


def test_a_png_named_jpg_is_accepted_by_its_content_not_its_name():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(buffer, format="PNG")
    result = process_image(_upload(buffer.getvalue(), name="photo.jpg"))
    assert Image.open(io.BytesIO(result.image.read())).format == "JPEG"
