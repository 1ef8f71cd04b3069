"""QR codes for enrolment, rendered by segno as inline SVG (no image service, no CDN)."""

from __future__ import annotations

import io

import segno


def qr_svg(uri: str) -> str:
    # Error correction M and a quiet zone of 4 modules read well from a laptop screen with a phone camera.
    return segno.make(uri, error="m", micro=False).svg_inline(scale=5, border=4, dark="#111", light="#fff",
                                                              title="QR code for your authenticator app")


def qr_png(uri: str) -> bytes:
    """The same code as a PNG image: IAM's QRCodePNG, for API clients that show or save a picture."""
    buffer = io.BytesIO()
    segno.make(uri, error="m", micro=False).save(buffer, kind="png", scale=5, border=4)
    return buffer.getvalue()
