"""Make scanned-looking inputs from real PDFs: rasterise at fax resolution, skew, speckle, blur, binarise."""

from __future__ import annotations

import io
import random


def scan_pdf(pdf_bytes: bytes, *, dpi: int = 200, seed: int = 0, image_format: str = "PDF") -> bytes:
    """An image-only PDF (or TIFF/PNG) of the given PDF's pages, looking like a fax."""
    import pypdfium2
    from PIL import Image, ImageFilter

    rnd = random.Random(seed)
    pdf = pypdfium2.PdfDocument(pdf_bytes)
    frames: list[Image.Image] = []
    try:
        for page in pdf:
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            image = image.rotate(rnd.uniform(-1.5, 1.5), fillcolor=255)
            pixels = image.load()
            width, height = image.size
            for _ in range(width * height // 400):
                pixels[rnd.randrange(width), rnd.randrange(height)] = rnd.choice((0, 255))
            image = image.filter(ImageFilter.GaussianBlur(0.6)).point(lambda v: 0 if v < 150 else 255)
            frames.append(image.convert("1"))
    finally:
        pdf.close()
    out = io.BytesIO()
    if image_format == "PNG":
        frames[0].save(out, format="PNG")
    else:
        frames[0].save(out, format=image_format, save_all=True, append_images=frames[1:], resolution=dpi)
    return out.getvalue()
