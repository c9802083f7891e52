"""Draws the neutral placeholder logo shipped in the default profile (run once; needs Pillow)."""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

out = Path(__file__).resolve().parents[1] / "src/blankett/profiles/logotyp-saknas.png"
img = Image.new("RGB", (600, 240), "white")
d = ImageDraw.Draw(img)
d.rectangle([4, 4, 595, 235], outline=(120, 120, 120), width=4)
font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 46)
small = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 26)
d.text((300, 95), "Kommunens logotyp", fill=(90, 90, 90), font=font, anchor="mm")
d.text((300, 165), "(platshållare – byt i profilen)", fill=(110, 110, 110), font=small, anchor="mm")
img.save(out, optimize=True)
print(out, out.stat().st_size)
