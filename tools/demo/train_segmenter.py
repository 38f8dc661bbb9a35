#!/usr/bin/env python3
"""Trains the demo segmenter: torchvision's LR-ASPP on MobileNetV3-Large (width 0.35, dilated, 11
classes: background and Fashion-MNIST's ten) on synthetic scenes (fmnist_scenes.py) from the
training images, then scores it on held-out scenes made from the test images.

Writes to OUT: lraspp_fmnist.pth (the state dict), lraspp_fmnist.json (the spec, labels and
PyTorch's scores), and scenes/ (the held-out scenes in VOC's layout, with PyTorch's own masks in
scenes/Torch/), so EdgeCL's answers can be compared with PyTorch's image by image.

Usage: python3 tools/demo/train_segmenter.py OUT [ITERATIONS]   (Debian's python3-torchvision)
"""
import json
import os
import sys
import time

import numpy as np
import torch
from PIL import Image
from torchvision.models import mobilenet_v3_large
from torchvision.models.segmentation.lraspp import _lraspp_mobilenetv3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_scenes as fs  # noqa: E402

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def tensor(images):
    x = torch.tensor(np.stack(images)).permute(0, 3, 1, 2).float() / 255.0
    return (x - MEAN) / STD


def voc_palette():
    pal = []
    for i in range(256):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= (c & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        pal += [r, g, b]
    return pal


def save_mask(mask, path):
    im = Image.fromarray(mask.astype(np.uint8), mode="P")
    im.putpalette(voc_palette())
    im.save(path)


def miou(conf):
    tp = np.diag(conf)
    union = conf.sum(0) + conf.sum(1) - tp
    iou = np.where(union > 0, tp / np.maximum(union, 1), np.nan)
    return float(np.nanmean(iou)), float(tp.sum() / conf.sum()), iou


def main():
    out = sys.argv[1]
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 1500
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count())
    train_images, train_labels = fs.load("train")
    test_images, test_labels = fs.load("test")
    rng = np.random.default_rng(0)
    model = _lraspp_mobilenetv3(mobilenet_v3_large(weights=None, dilated=True, width_mult=0.35), 11)
    opt = torch.optim.AdamW(model.parameters(), 3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=iterations)
    model.train()
    t0 = time.time()
    for it in range(iterations):
        batch = [fs.scene(rng, train_images, train_labels) for _ in range(32)]
        x = tensor([b[0] for b in batch])
        y = torch.tensor(np.stack([b[1] for b in batch])).long()
        loss = torch.nn.functional.cross_entropy(model(x)["out"], y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if it % 100 == 0:
            print("iteration %d loss %.4f (%.0f s)" % (it, loss.item(), time.time() - t0), flush=True)
    model.eval()
    torch.save(model.state_dict(), os.path.join(out, "lraspp_fmnist.pth"))
    # held-out scenes from the test images, scored by PyTorch
    scenes = os.path.join(out, "scenes")
    for d in ("JPEGImages", "SegmentationClass", "Torch"):
        os.makedirs(os.path.join(scenes, d), exist_ok=True)
    rng = np.random.default_rng(1)
    conf = np.zeros((11, 11), np.int64)
    with torch.no_grad():
        for i in range(50):
            img, mask = fs.scene(rng, test_images, test_labels)
            pred = model(tensor([img]))["out"][0].argmax(0).numpy()
            conf += np.bincount(mask.ravel().astype(np.int64) * 11 + pred.ravel(), minlength=121).reshape(11, 11)
            name = "scene%03d" % i
            Image.fromarray(img).save(os.path.join(scenes, "JPEGImages", name + ".png"))
            save_mask(mask, os.path.join(scenes, "SegmentationClass", name + ".png"))
            save_mask(pred, os.path.join(scenes, "Torch", name + ".png"))
    m, acc, iou = miou(conf)
    spec = {
        "spec": {"model": "lraspp_mobilenet_v3_large", "width_mult": 0.35, "num_classes": 11},
        "labels": fs.CLASSES,
        "input_size": fs.SIZE,
        "torch_miou": m,
        "torch_pixel_accuracy": acc,
        "torch_iou": [None if np.isnan(v) else float(v) for v in iou],
        "iterations": iterations,
        "final_loss": loss.item(),
        "upstream": "torchvision " + __import__("torchvision").__version__ + ", torch " + torch.__version__,
    }
    with open(os.path.join(out, "lraspp_fmnist.json"), "w") as f:
        json.dump(spec, f, indent=2)
    print("held-out mIoU %.4f pixel accuracy %.4f" % (m, acc))


if __name__ == "__main__":
    main()
