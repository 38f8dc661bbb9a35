#!/usr/bin/env python3
"""Synthetic scenes of Fashion-MNIST items for the demo segmenter and detector: each scene is a 128x128 RGB
canvas (a dark noisy background) with one to three items, scaled, tinted and placed at random,
later items over earlier ones. The mask gives every pixel its item's class + 1 (0: background).

Reads the IDX files of Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
"""
import gzip
import os

import numpy as np

IDX = "/usr/share/datasets/fashion-mnist"
SIZE = 128
CLASSES = ["background", "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
           "Bag", "Ankle boot"]


def load(split):
    prefix = "train" if split == "train" else "t10k"
    with gzip.open(os.path.join(IDX, prefix + "-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(os.path.join(IDX, prefix + "-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return images, labels


def resize_nearest(item, s):
    idx = (np.arange(s) * 28 / s).astype(int)
    return item[idx][:, idx]


def scene(rng, images, labels):
    img, mask, _ = scene_with_boxes(rng, images, labels)
    return img, mask


def scene_with_boxes(rng, images, labels):
    """A scene, its mask and its items: (x1, y1, x2, y2, class + 1) around each item's drawn pixels
    (alpha above 0.3, whether or not a later item covers them)."""
    bg = rng.integers(0, 60, 3)
    img = np.clip(bg[None, None, :] + rng.normal(0, 8, (SIZE, SIZE, 3)), 0, 255)
    mask = np.zeros((SIZE, SIZE), np.uint8)
    boxes = []
    for _ in range(rng.integers(1, 4)):
        i = rng.integers(0, len(images))
        s = int(rng.integers(40, 90))
        a = resize_nearest(images[i], s).astype(np.float32) / 255.0
        colour = rng.integers(120, 256, 3).astype(np.float32)
        y, x = rng.integers(-s // 4, SIZE - 3 * s // 4, 2)
        y0, x0, y1, x1 = max(y, 0), max(x, 0), min(y + s, SIZE), min(x + s, SIZE)
        if y1 <= y0 or x1 <= x0:
            continue
        part = a[y0 - y:y1 - y, x0 - x:x1 - x, None]
        img[y0:y1, x0:x1] = img[y0:y1, x0:x1] * (1 - part) + colour * part
        drawn = part[..., 0] > 0.3
        mask[y0:y1, x0:x1][drawn] = labels[i] + 1
        ys, xs = np.nonzero(drawn)
        if len(ys):
            boxes.append((x0 + xs.min(), y0 + ys.min(), x0 + xs.max() + 1, y0 + ys.max() + 1, labels[i] + 1))
    return img.astype(np.uint8), mask, boxes
