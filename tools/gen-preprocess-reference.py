#!/usr/bin/python3
"""Generates the image fixtures under tests/resources/images/ that pin EdgeCL's decoding and
preprocessing to what timm's evaluation pipeline computes.

How the fixtures were produced
------------------------------
* Interpreter: Debian 12's /usr/bin/python3 with Debian's python3-pil (Pillow 9.4.0) and
  python3-numpy (1.24.2), installed by `apt-get install -y python3-pil python3-numpy`. Neither
  torch, torchvision nor timm is needed: torchvision hands PIL images to Pillow's
  Image.resize, so the reference below calls Pillow for the resampling and repeats
  torchvision's / timm's small amount of size arithmetic (quoted in comments) in plain Python.
* pillow/: synthetic inputs (seeded noise and gradients, written as PNG so decoding is
  lossless) and, for every case in pillow/cases.json, the uint8 image after resize + center
  crop (<case>.u8, H×W×3 row-major) and the normalized tensor (<case>.f32, little-endian
  float32, [3, H, W]) computed as torchvision does: ToTensor (float32 / 255) then
  Normalize ((x - mean) / std in float32).
* decode/: one small file per pixel layout (RGBA, LA, palette, palette + tRNS, gray at 1, 2,
  4, 8, 16 bits, 16-bit RGB/RGBA/LA, BMP 24-bit and 8-bit palette, baseline, progressive and
  grayscale JPEG) and, in decode/cases.json, each file's `Image.open(f).convert("RGB")` as
  <file>.u8. PNG layouts Pillow cannot write are written by the small PNG encoder below.
* formats/: what the JDK alone cannot read, made from cat.jpg and coffee-alpha.png: WebP
  (lossy, lossless, with alpha), CMYK JPEG (Adobe, as Pillow writes it), the same with an
  embedded ICC profile (a small CMYK printer profile written below: colour management would
  change its colours, PIL's convert('RGB') does not apply it), YCCK JPEG (ImageMagick's
  `convert -define jpeg:colorspace=5`, when `convert` is on PATH), TIFF (LZW RGB, deflate
  CMYK) and a 16-bit RGB PNG; in formats/cases.json, each file's convert("RGB") as <file>.u8,
  and timm's eval transform of some as <case>.u8 / <case>.f32 like pillow/.
* Top level: photos for the CLI's classify command and error cases. chelsea (a cat) and
  coffee come from Debian's python3-skimage package (skimage/data; both CC0, see README.md),
  given with --skimage-data DIR (e.g. from `apt-get download python3-skimage` and
  `dpkg-deb -x`); without it they are left as they are.

Usage: /usr/bin/python3 tools/gen-preprocess-reference.py [--skimage-data DIR]
"""
import argparse
import json
import math
import os
import shutil
import struct
import subprocess
import zlib

import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "resources", "images")
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
RESAMPLE = {
    "nearest": Image.NEAREST,
    "bilinear": Image.BILINEAR,
    "bicubic": Image.BICUBIC,
    "box": Image.BOX,
    "hamming": Image.HAMMING,
    "lanczos": Image.LANCZOS,
}


def timm_eval_uint8(img, size, crop_pct, interpolation):
    """transforms_imagenet_eval(crop_mode='center') up to, not including, ToTensor."""
    if isinstance(size, int):
        size = (size, size)
    # scale_size = math.floor(img_size / crop_pct), per dimension for (h, w) sizes
    scale = (math.floor(size[0] / crop_pct), math.floor(size[1] / crop_pct))
    w, h = img.size
    if scale[0] == scale[1]:
        # transforms.Resize(scale_size): torchvision _compute_resized_output_size
        s = scale[0]
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = s, int(s * long / short)
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
        resample = RESAMPLE[interpolation]
    else:
        # timm ResizeKeepRatio(scale_size), longest=0, its default interpolation 'bilinear'
        ratio = min(h / scale[0], w / scale[1])
        new_h, new_w = round(h / ratio), round(w / ratio)
        resample = Image.BILINEAR
    if (new_w, new_h) != (w, h):
        img = img.resize((new_w, new_h), resample)
    # transforms.CenterCrop(img_size): pad with zeros where smaller, then crop at the center
    crop_h, crop_w = size
    w, h = img.size
    if crop_w > w or crop_h > h:
        left = (crop_w - w) // 2 if crop_w > w else 0
        top = (crop_h - h) // 2 if crop_h > h else 0
        right = (crop_w - w + 1) // 2 if crop_w > w else 0
        bottom = (crop_h - h + 1) // 2 if crop_h > h else 0
        padded = Image.new(img.mode, (w + left + right, h + top + bottom), 0)
        padded.paste(img, (left, top))
        img = padded
        w, h = img.size
    if (w, h) != (crop_w, crop_h):
        top = int(round((h - crop_h) / 2.0))
        left = int(round((w - crop_w) / 2.0))
        img = img.crop((left, top, left + crop_w, top + crop_h))
    return np.asarray(img, dtype=np.uint8)


def to_tensor_normalize(arr):
    t = arr.transpose(2, 0, 1).astype(np.float32) / np.float32(255)
    mean = np.asarray(MEAN, dtype=np.float32)[:, None, None]
    std = np.asarray(STD, dtype=np.float32)[:, None, None]
    return ((t - mean) / std).astype("<f4")


def png_chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def write_png(path, samples, color_type, bit_depth, trns=None):
    """Minimal PNG writer for layouts Pillow will not write (16-bit RGB, sub-byte gray...).
    samples: uint array [h, w, channels] of values < 2**bit_depth."""
    h, w = samples.shape[:2]
    rows = []
    for y in range(h):
        row = samples[y].reshape(-1)
        if bit_depth == 16:
            raw = row.astype(">u2").tobytes()
        elif bit_depth == 8:
            raw = row.astype(np.uint8).tobytes()
        else:
            per = 8 // bit_depth
            padded = np.zeros(((len(row) + per - 1) // per) * per, dtype=np.uint8)
            padded[: len(row)] = row
            packed = np.zeros(len(padded) // per, dtype=np.uint8)
            for i in range(per):
                packed |= (padded[i::per] << (8 - bit_depth * (i + 1))).astype(np.uint8)
            raw = packed.tobytes()
        rows.append(b"\x00" + raw)
    data = b"\x89PNG\r\n\x1a\n"
    data += png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 0))
    if trns is not None:
        data += png_chunk(b"tRNS", trns)
    data += png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
    data += png_chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def synthetic_inputs(rng):
    """Noise and gradients stress every rounding path: edges, extremes 0/255, flat areas."""
    out = {}
    yy, xx = np.mgrid[0:23, 0:37]
    grad = np.stack([xx * 255 // 36, yy * 255 // 22, (xx + yy) * 255 // 58], axis=-1).astype(np.int32)
    grad = np.clip(grad + rng.integers(-20, 21, grad.shape), 0, 255).astype(np.uint8)
    grad[5:9, 10:20] = (255, 0, 0)
    grad[15:18, 25:30] = (0, 0, 0)
    out["grad_37x23.png"] = grad
    out["noise_23x41.png"] = rng.integers(0, 256, (41, 23, 3), dtype=np.uint8)
    big = rng.integers(0, 256, (61, 97, 3), dtype=np.uint8)
    big[:, 40:45] = 255
    out["noise_97x61.png"] = big
    return out


PREPROCESS_CASES = [
    # name, input, size (int or [h, w]), crop_pct, interpolation
    ("grad_s16_c0875_bicubic", "grad_37x23.png", 16, 0.875, "bicubic"),
    ("grad_s32_c09_bicubic_up", "grad_37x23.png", 32, 0.9, "bicubic"),
    ("grad_s16_c0875_bilinear", "grad_37x23.png", 16, 0.875, "bilinear"),
    ("grad_s16_c0875_nearest", "grad_37x23.png", 16, 0.875, "nearest"),
    ("grad_s20_c095_nearest_up", "grad_37x23.png", 20, 0.95, "nearest"),
    ("noise_s16_c095_bilinear", "noise_23x41.png", 16, 0.95, "bilinear"),
    ("noise_s20_c1_nearest", "noise_23x41.png", 20, 1.0, "nearest"),
    ("noise_s24_c16_bicubic_pad", "noise_23x41.png", 24, 1.6, "bicubic"),
    ("noise_s23_c1_identity", "noise_23x41.png", 23, 1.0, "bicubic"),
    ("big_s24_c0875_bicubic", "noise_97x61.png", 24, 0.875, "bicubic"),
    ("big_s24_c0875_bilinear", "noise_97x61.png", 24, 0.875, "bilinear"),
    ("big_s24_c0875_nearest", "noise_97x61.png", 24, 0.875, "nearest"),
    ("big_s13_c0875_bicubic", "noise_97x61.png", 13, 0.875, "bicubic"),
    ("big_s24_c0875_box", "noise_97x61.png", 24, 0.875, "box"),
    ("big_s24_c0875_hamming", "noise_97x61.png", 24, 0.875, "hamming"),
    ("big_s24_c0875_lanczos", "noise_97x61.png", 24, 0.875, "lanczos"),
    ("big_h16w24_c0875_keepratio", "noise_97x61.png", [16, 24], 0.875, "bicubic"),
    ("grad_h20w12_c09_keepratio", "grad_37x23.png", [20, 12], 0.9, "bicubic"),
    # a real JPEG: also pins Java's JPEG decoding to Pillow's
    ("cat_s64_c0875_bicubic", "../cat.jpg", 64, 0.875, "bicubic"),
]


def write_preprocess_cases(d, case_list):
    """timm's eval transform of each (name, input, size, crop_pct, interpolation) in d: <name>.u8 and
    <name>.f32; returns the cases.json entries."""
    cases = []
    for name, src, size, crop_pct, interp in case_list:
        img = Image.open(os.path.join(d, src)).convert("RGB")
        u8 = timm_eval_uint8(img, size, crop_pct, interp)
        u8.tofile(os.path.join(d, name + ".u8"))
        to_tensor_normalize(u8).tofile(os.path.join(d, name + ".f32"))
        hw = [size, size] if isinstance(size, int) else size
        cases.append({"name": name, "input": src, "height": hw[0], "width": hw[1],
                      "crop_pct": crop_pct, "interpolation": interp,
                      "mean": list(MEAN), "std": list(STD)})
    return cases


def write_convert_references(d, files):
    """Each file's Image.open(f).convert("RGB") as <file>.u8; returns the cases.json entries."""
    cases = []
    for name in files:
        im = Image.open(os.path.join(d, name))
        mode = im.mode
        out = np.asarray(im.convert("RGB"), dtype=np.uint8)
        out.tofile(os.path.join(d, name + ".u8"))
        cases.append({"file": name, "pil_mode": mode, "width": int(out.shape[1]), "height": int(out.shape[0])})
    return cases


def gen_pillow(rng):
    d = os.path.join(ROOT, "pillow")
    os.makedirs(d, exist_ok=True)
    for name, arr in synthetic_inputs(rng).items():
        Image.fromarray(arr, "RGB").save(os.path.join(d, name))
    cases = write_preprocess_cases(d, PREPROCESS_CASES)
    with open(os.path.join(d, "cases.json"), "w") as f:
        json.dump({"pillow": Image.__version__, "numpy": np.__version__, "cases": cases}, f, indent=1)


def gen_decode(rng):
    d = os.path.join(ROOT, "decode")
    os.makedirs(d, exist_ok=True)
    h, w = 23, 37
    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    alpha = rng.integers(0, 256, (h, w), dtype=np.uint8)
    alpha[:, :5] = 0  # fully transparent columns keep their colour under convert('RGB')
    gray = rng.integers(0, 256, (h, w), dtype=np.uint8)
    files = []

    def add(name):
        files.append(name)
        return os.path.join(d, name)

    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(add("rgba.png"))
    Image.fromarray(np.dstack([gray, alpha]), "LA").save(add("la.png"))
    Image.fromarray(gray, "L").save(add("gray8.png"))
    pal = Image.fromarray(rgb, "RGB").quantize(colors=50, method=Image.MEDIANCUT)
    pal.save(add("palette.png"))
    pal.save(add("palette_trns.png"), transparency=3)
    g16 = rng.integers(0, 65536, (h, w), dtype=np.uint16)
    g16[:, :6] = rng.integers(0, 256, (h, 6))  # values below 256 survive PIL's clipping of mode I
    write_png(add("gray16.png"), g16[..., None], 0, 16)
    write_png(add("rgb16.png"), rng.integers(0, 65536, (h, w, 3)), 2, 16)
    write_png(add("rgba16.png"), rng.integers(0, 65536, (h, w, 4)), 6, 16)
    write_png(add("la16.png"), rng.integers(0, 65536, (h, w, 2)), 4, 16)
    write_png(add("gray1.png"), rng.integers(0, 2, (h, w, 1)), 0, 1)
    write_png(add("gray2.png"), rng.integers(0, 4, (h, w, 1)), 0, 2)
    write_png(add("gray4.png"), rng.integers(0, 16, (h, w, 1)), 0, 4)
    write_png(add("rgb8_trns.png"), rgb, 2, 8, trns=struct.pack(">HHH", *[int(v) for v in rgb[0, 0]]))
    Image.fromarray(rgb, "RGB").save(add("rgb24.bmp"))
    pal.save(add("palette8.bmp"))
    # Smooth content keeps JPEG rounding differences between decoders rare.
    yy, xx = np.mgrid[0:h, 0:w]
    smooth = np.stack([xx * 6, yy * 10, 128 + (xx - yy) * 3], axis=-1).clip(0, 255).astype(np.uint8)
    Image.fromarray(smooth, "RGB").save(add("baseline.jpg"), quality=90)
    Image.fromarray(smooth, "RGB").save(add("progressive.jpg"), quality=90, progressive=True)
    Image.fromarray(smooth, "RGB").save(add("nosubsample.jpg"), quality=95, subsampling=0)
    Image.fromarray(smooth[..., 1], "L").save(add("gray.jpg"), quality=90)
    cases = write_convert_references(d, files)
    with open(os.path.join(d, "cases.json"), "w") as f:
        json.dump({"pillow": Image.__version__, "cases": cases}, f, indent=1)


def gen_photos(skimage_data):
    os.makedirs(ROOT, exist_ok=True)
    if skimage_data:
        cat = Image.open(os.path.join(skimage_data, "chelsea.png")).convert("RGB")
        cat.resize((300, 200), Image.BICUBIC).save(os.path.join(ROOT, "cat.jpg"), quality=82)
        cat.resize((150, 100), Image.BICUBIC).convert("L").save(os.path.join(ROOT, "cat-gray.png"), optimize=True)
        coffee = Image.open(os.path.join(skimage_data, "coffee.png")).convert("RGB").resize((120, 80), Image.BICUBIC)
        yy, xx = np.mgrid[0:80, 0:120]
        a = np.clip(255 - ((xx - 60) ** 2 / 3600 + (yy - 40) ** 2 / 1600) * 200, 0, 255).astype(np.uint8)
        rgba = np.dstack([np.asarray(coffee), a])
        Image.fromarray(rgba, "RGBA").save(os.path.join(ROOT, "coffee-alpha.png"), optimize=True)
    cat_path = os.path.join(ROOT, "cat.jpg")
    if os.path.exists(cat_path):
        with open(cat_path, "rb") as f:
            data = f.read()
        with open(os.path.join(ROOT, "truncated.jpg"), "wb") as f:
            f.write(data[: len(data) // 2])
    Image.new("CMYK", (16, 16), (0, 128, 255, 10)).save(os.path.join(ROOT, "cmyk.jpg"), quality=90)
    with open(os.path.join(ROOT, "not-an-image.png"), "w") as f:
        f.write("this is a text file, not a PNG\n")
    open(os.path.join(ROOT, "empty.jpg"), "wb").close()


def s15(x):
    return struct.pack(">i", int(round(x * 65536)))


def cmyk_profile():
    """A small ICC v2 printer profile (CMYK <-> Lab through 2-point lut8 tables): enough for a
    colour-managing reader to act on it, which PIL does not."""
    def pad4(b):
        return b + b"\0" * (-len(b) % 4)

    def lut8(inputs, outputs, grid):
        b = b"mft1" + b"\0" * 4 + struct.pack(">BBBB", inputs, outputs, 2, 0)
        for i in range(3):
            for j in range(3):
                b += s15(1.0 if i == j else 0.0)
        return b + bytes(range(256)) * inputs + grid + bytes(range(256)) * outputs

    text = b"EdgeCL test CMYK\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(text)) + text + struct.pack(">IIHB", 0, 0, 0, 0) + b"\0" * 67
    wtpt = b"XYZ " + b"\0" * 4 + s15(0.9642) + s15(1.0) + s15(0.8249)
    cprt = b"text" + b"\0" * 4 + b"No copyright, use freely\0"
    a2b = b""
    for c in (0, 1):
        for m in (0, 1):
            for y in (0, 1):
                for k in (0, 1):
                    r, g, b = (1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)
                    a2b += bytes([round(255 * (0.3 * r + 0.59 * g + 0.11 * b)),
                                  128 + round(60 * (r - g)), 128 + round(60 * (g - b))])
    b2a = b"".join(bytes([0, 0, 0, 255 - 255 * L]) for L in (0, 1) for _ in range(4))
    tags = [(b"desc", desc), (b"wtpt", wtpt), (b"cprt", cprt), (b"A2B0", lut8(4, 3, a2b)), (b"B2A0", lut8(3, 4, b2a))]
    off = 128 + 4 + 12 * len(tags)
    table, body = struct.pack(">I", len(tags)), b""
    for sig, data in tags:
        data = pad4(data)
        table += sig + struct.pack(">II", off + len(body), len(data))
        body += data
    hdr = struct.pack(">I", off + len(body)) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"prtrCMYKLab "
    hdr += struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 28
    hdr += s15(0.9642) + s15(1.0) + s15(0.8249)
    return hdr + b"\0" * (128 - len(hdr)) + table + body


FORMAT_CASES = [
    # name, input, size, crop_pct, interpolation: timm's eval transform on what the JDK cannot read
    ("webp_lossless_s64", "cat-lossless.webp", 64, 0.875, "bicubic"),
    ("webp_lossy_s64", "cat-lossy.webp", 64, 0.875, "bicubic"),
    ("cmyk_jpeg_s64", "cat-cmyk.jpg", 64, 0.875, "bicubic"),
    ("cmyk_icc_jpeg_s64", "cat-cmyk-icc.jpg", 64, 0.875, "bicubic"),
    ("rgb16_png_s64", "cat-rgb16.png", 64, 0.875, "bicubic"),
]


def gen_formats():
    d = os.path.join(ROOT, "formats")
    os.makedirs(d, exist_ok=True)
    # half size keeps the fixtures small
    cat = Image.open(os.path.join(ROOT, "cat.jpg")).convert("RGB").resize((150, 100), Image.BICUBIC)
    coffee = Image.open(os.path.join(ROOT, "coffee-alpha.png"))
    files = []

    def add(name):
        files.append(name)
        return os.path.join(d, name)

    cat.save(add("cat-lossy.webp"), quality=80)
    cat.save(add("cat-lossless.webp"), lossless=True)
    coffee.save(add("coffee-alpha-lossy.webp"), quality=80)
    coffee.save(add("coffee-alpha-lossless.webp"), lossless=True)
    cmyk = cat.convert("CMYK")
    cmyk.save(add("cat-cmyk.jpg"), quality=90)
    cmyk.save(add("cat-cmyk-icc.jpg"), quality=90, icc_profile=cmyk_profile())
    ycck = os.path.join(d, "cat-ycck.jpg")
    if shutil.which("convert"):
        subprocess.run(["convert", os.path.join(d, "cat-cmyk.jpg"), "-define", "jpeg:colorspace=5", ycck], check=True)
    if os.path.exists(ycck):
        files.append("cat-ycck.jpg")
    small = cat.resize((120, 80), Image.BICUBIC)
    small.save(add("cat-lzw.tif"), compression="tiff_lzw")
    small.convert("CMYK").save(add("cat-cmyk.tif"), compression="tiff_adobe_deflate")
    # 16 bits: the photo in the high byte, seeded noise in the low byte (PIL keeps the high byte)
    rng = np.random.default_rng(20261205)
    hi = np.asarray(small, dtype=np.uint16)
    write_png(add("cat-rgb16.png"), (hi << 8) | rng.integers(0, 256, hi.shape, dtype=np.uint16), 2, 16)
    cases = write_convert_references(d, files)
    pre = write_preprocess_cases(d, FORMAT_CASES)
    with open(os.path.join(d, "cases.json"), "w") as f:
        json.dump({"pillow": Image.__version__, "cases": cases, "preprocess": pre}, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skimage-data", help="skimage/data directory holding chelsea.png and coffee.png")
    args = ap.parse_args()
    rng = np.random.default_rng(20240611)
    gen_photos(args.skimage_data)
    gen_pillow(rng)
    gen_decode(rng)
    gen_formats()


if __name__ == "__main__":
    main()
