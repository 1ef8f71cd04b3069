"""QR codes for enrolment, rendered by segno as inline SVG (no image service, no CDN)."""

from __future__ import annotations

import segno


def qr_svg(uri: str) -> str:
    # Error correction M and a quiet zone of 4 modules read well from a laptop screen with a phone camera.
    return segno.make(uri, error="m", micro=False).svg_inline(scale=5, border=4, dark="#111", light="#fff",
                                                              title="QR code for your authenticator app")
