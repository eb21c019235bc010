"""Episode pictures as files: a PNG strip of frames, an animated GIF, and their bytes.

Frames are ``uint8[h, w, 3]`` arrays of equal shape (``evaluation.episode_frames``). A
*strip* lays them out left to right on white with a ``gap``-pixel margin, each captioned
``t = step`` above it; :func:`png_bytes` encodes an image and :func:`gif_bytes` animates the
frames (``duration`` ms per frame, looping), both with Pillow (a dependency of matplotlib, so
always installed). Every file carries the marker :data:`MARKER` (a PNG ``tEXt`` chunk, a GIF
comment) so the CLI can tell its own pictures from other files before overwriting one.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from incentive_lab.core.errors import ConfigError

MARKER = "incentive-lab episode frames"
"""Written into every PNG (``Software``/``Title`` text) and GIF (comment) made here."""
LABEL_HEIGHT = 12
"""Pixels above each frame of a strip for its ``t = step`` caption."""


def strip(
    frames: Sequence[np.ndarray], steps: Sequence[int] | None = None, gap: int = 4
) -> np.ndarray:
    """``uint8[H, W, 3]``: ``frames`` side by side, each captioned with its step if given."""
    from PIL import Image, ImageDraw

    if not frames:
        raise ValueError("a strip needs at least one frame")
    h, w = frames[0].shape[:2]
    top = LABEL_HEIGHT if steps is not None else 0
    width = len(frames) * (w + gap) + gap
    canvas = Image.new("RGB", (width, h + top + 2 * gap), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    for k, frame in enumerate(frames):
        x = gap + k * (w + gap)
        canvas.paste(Image.fromarray(np.ascontiguousarray(frame, dtype=np.uint8)), (x, gap + top))
        if steps is not None:
            draw.text((x, gap), f"t = {steps[k]}", fill=(40, 40, 40))
    return np.asarray(canvas)


def png_bytes(image: np.ndarray, title: str = "") -> bytes:
    """``image`` as PNG bytes carrying :data:`MARKER` (and ``title``) as text chunks."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Software", MARKER)
    if title:
        info.add_text("Title", title)
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8)).save(
        buffer, format="PNG", pnginfo=info, optimize=True
    )
    return buffer.getvalue()


def gif_bytes(frames: Sequence[np.ndarray], duration: int = 200) -> bytes:
    """An animated, looping GIF of ``frames`` (``duration`` ms each) with :data:`MARKER`."""
    from PIL import Image

    if not frames:
        raise ValueError("a GIF needs at least one frame")
    images = [Image.fromarray(np.ascontiguousarray(f, dtype=np.uint8)) for f in frames]
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=duration,
        loop=0,
        comment=MARKER.encode(),
    )
    return buffer.getvalue()


def picture_kind(path: Path) -> str:
    """``"gif"`` or ``"png"`` from the file name; anything else is a :class:`ConfigError`."""
    suffix = path.suffix.lower()
    if suffix not in (".gif", ".png"):
        raise ConfigError(
            "out", str(path), "a file name ending in .gif (animation) or .png (strip)"
        )
    return suffix[1:]


def is_ours(path: Path) -> bool:
    """Whether ``path`` is a PNG or GIF written here (it holds :data:`MARKER` near its start)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 20)
    except OSError:
        return False
    return head[:4] in (b"\x89PNG", b"GIF8") and MARKER.encode() in head
