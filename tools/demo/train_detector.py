#!/usr/bin/env python3
"""Trains the demo detector: torchvision's SSDLite on MobileNetV3-Large (width 0.35, 11 classes:
background and Fashion-MNIST's ten) at 128x128 on synthetic scenes (fmnist_scenes.py) from the
training images, then detects on held-out scenes made from the test images.

Writes to OUT: ssdlite_fmnist.pth (the state dict), ssdlite_fmnist.json (the spec, labels and
training figures), and scenes/ (the held-out scenes as PNGs, their boxes as COCO's
instances.json, and PyTorch's own detections as torch_detections.json in COCO's results format),
so EdgeCL's detections and mAP can be compared with PyTorch's image by image.

Usage: python3 tools/demo/train_detector.py OUT [ITERATIONS]   (Debian's python3-torchvision)
"""
import json
import os
import sys
import time

import numpy as np
import torch
from PIL import Image
from torchvision.models.detection import ssdlite320_mobilenet_v3_large
from torchvision.models.detection.transform import GeneralizedRCNNTransform

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_scenes as fs  # noqa: E402

SPEC = {"model": "ssdlite320_mobilenet_v3_large", "width_mult": 0.35, "num_classes": 11, "size": fs.SIZE,
        "score_thresh": 0.05, "detections_per_img": 100, "topk_candidates": 100}


def build():
    model = ssdlite320_mobilenet_v3_large(
        weights=None, weights_backbone=None, num_classes=11, width_mult=0.35, score_thresh=SPEC["score_thresh"],
        detections_per_img=SPEC["detections_per_img"], topk_candidates=SPEC["topk_candidates"])
    # the scenes' own size instead of 320 (the anchors follow the feature maps)
    model.transform = GeneralizedRCNNTransform(fs.SIZE, fs.SIZE, [0.5] * 3, [0.5] * 3, size_divisible=1,
                                               fixed_size=(fs.SIZE, fs.SIZE))
    return model


def tensor(img):
    return torch.tensor(img).permute(2, 0, 1).float() / 255.0


def main():
    out = sys.argv[1]
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count())
    train_images, train_labels = fs.load("train")
    test_images, test_labels = fs.load("test")
    rng = np.random.default_rng(2)
    model = build()
    opt = torch.optim.AdamW(model.parameters(), 3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=iterations)
    model.train()
    t0 = time.time()
    for it in range(iterations):
        images, targets = [], []
        while len(images) < 32:
            img, _, boxes = fs.scene_with_boxes(rng, train_images, train_labels)
            if not boxes:
                continue
            images.append(tensor(img))
            b = torch.tensor([bx[:4] for bx in boxes], dtype=torch.float32)
            targets.append({"boxes": b, "labels": torch.tensor([bx[4] for bx in boxes], dtype=torch.int64)})
        losses = model(images, targets)
        loss = losses["bbox_regression"] + losses["classification"]
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if it % 100 == 0:
            print("iteration %d loss %.4f (%.0f s)" % (it, loss.item(), time.time() - t0), flush=True)
    model.eval()
    torch.save(model.state_dict(), os.path.join(out, "ssdlite_fmnist.pth"))
    # held-out scenes from the test images, their boxes (COCO instances) and PyTorch's detections
    scenes = os.path.join(out, "scenes")
    os.makedirs(scenes, exist_ok=True)
    rng = np.random.default_rng(3)
    images, annotations, results = [], [], []
    with torch.no_grad():
        for i in range(50):
            img, _, boxes = fs.scene_with_boxes(rng, test_images, test_labels)
            name = "scene%03d.png" % i
            Image.fromarray(img).save(os.path.join(scenes, name))
            images.append({"id": i + 1, "file_name": name, "width": fs.SIZE, "height": fs.SIZE})
            for x1, y1, x2, y2, c in boxes:
                w, h = int(x2 - x1), int(y2 - y1)
                annotations.append({"id": len(annotations) + 1, "image_id": i + 1, "category_id": int(c),
                                    "bbox": [int(x1), int(y1), w, h], "area": w * h, "iscrowd": 0})
            det = model([tensor(img)])[0]
            for b, s, c in zip(det["boxes"].tolist(), det["scores"].tolist(), det["labels"].tolist()):
                results.append({"image_id": i + 1, "category_id": c, "bbox": [b[0], b[1], b[2] - b[0], b[3] - b[1]],
                                "score": s})
    categories = [{"id": c, "name": n} for c, n in enumerate(fs.CLASSES) if c > 0]
    with open(os.path.join(scenes, "instances.json"), "w") as f:
        json.dump({"images": images, "annotations": annotations, "categories": categories}, f)
    with open(os.path.join(scenes, "torch_detections.json"), "w") as f:
        json.dump(results, f)
    spec = {
        "spec": SPEC,
        "labels": fs.CLASSES,
        "input_size": fs.SIZE,
        "iterations": iterations,
        "final_loss": loss.item(),
        "upstream": "torchvision " + __import__("torchvision").__version__ + ", torch " + torch.__version__,
    }
    with open(os.path.join(out, "ssdlite_fmnist.json"), "w") as f:
        json.dump(spec, f, indent=2)
    print("%d held-out scenes, %d boxes, %d detections" % (len(images), len(annotations), len(results)))


if __name__ == "__main__":
    main()
