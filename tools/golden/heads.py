#!/usr/bin/env python3
"""Reference fixtures for the dense-prediction heads, computed by torchvision itself.

Builds each case with torchvision's own constructors (Debian's python3-torchvision 0.14), redraws
every parameter and BatchNorm statistic so that no layer is close to identity, and writes:

  <out>/<case>/case.json        the spec EdgeCL's --model-config takes, and the shapes
  <out>/<case>/weights.pth      the plain state_dict, as torchvision's checkpoints are saved
  <out>/<case>/io.safetensors   input (NCHW float32), out, and the backbone taps (NCHW)

Usage: python3 tools/golden/heads.py OUT_DIR
"""
import json
import os
import struct
import sys

import torch
import torchvision
from torchvision.models import mobilenet_v3_large
from torchvision.models._utils import IntermediateLayerGetter
from torchvision.models.segmentation.deeplabv3 import ASPP, DeepLabV3
from torchvision.models.segmentation.fcn import FCNHead
from torchvision.models.segmentation.lraspp import _lraspp_mobilenetv3


def redraw(model, gen):
    """Every weight and statistic drawn at random, scaled so activations keep their size."""
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, torch.nn.Conv2d):
                fan_in = m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * (1.6 / fan_in) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.2)
            elif isinstance(m, torch.nn.BatchNorm2d):
                redraw_batchnorm(m, gen)


def redraw_batchnorm(m, gen):
    """A BatchNorm's affine and running statistics drawn so that it is far from identity."""
    with torch.no_grad():
        c = m.num_features
        m.weight.copy_(0.6 + 0.8 * torch.rand(c, generator=gen))
        m.bias.copy_(torch.randn(c, generator=gen) * 0.2)
        m.running_mean.copy_(torch.randn(c, generator=gen) * 0.2)
        m.running_var.copy_(0.5 + torch.rand(c, generator=gen))


def redraw_all(model, gen, layer_scales=False):
    """redraw's convolutions and BatchNorms, then every Linear and LayerNorm; with layer_scales,
    the layer-scale vectors ("gamma") too, drawn from 0.2 to 0.5."""
    redraw(model, gen)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.Linear):
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * (1.6 / m.in_features) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.2)
            elif isinstance(m, torch.nn.LayerNorm):
                m.weight.copy_(0.6 + 0.8 * torch.rand(m.weight.shape, generator=gen))
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.2)
        if layer_scales:
            for n, p in model.named_parameters():
                if n.endswith("gamma"):
                    p.copy_(0.2 + 0.3 * torch.rand(p.shape, generator=gen))


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for k, t in tensors.items():
        b = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[k] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def lraspp_case(out_dir, name, width_mult, num_classes, size, seed):
    gen = torch.Generator().manual_seed(seed)
    backbone = mobilenet_v3_large(weights=None, dilated=True, width_mult=width_mult)
    model = _lraspp_mobilenetv3(backbone, num_classes).eval()
    redraw(model, gen)
    x = torch.randn((1, 3) + size, generator=gen)
    with torch.no_grad():
        feats = model.backbone(x)
        out = model(x)["out"]
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(d, "weights.pth"))
    tensors = {"input": x, "out": out, "features.low": feats["low"], "features.high": feats["high"]}
    write_safetensors(os.path.join(d, "io.safetensors"), tensors)
    case = {
        "spec": {"model": "lraspp_mobilenet_v3_large", "width_mult": width_mult, "num_classes": num_classes},
        "key_format": "torchvision",
        "weights": "weights.pth",
        "input_shape": list(x.shape),
        "num_params": sum(p.numel() for p in model.parameters()),
        "outputs": {k: list(v.shape) for k, v in tensors.items() if k != "input"},
        "upstream": "torchvision " + torchvision.__version__ + ", torch " + torch.__version__,
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f, indent=2)
    print(name, case["num_params"], "params", {k: list(v.shape) for k, v in tensors.items()})


def deeplabv3_case(out_dir, name, width_mult, num_classes, size, seed, aspp_channels, rates):
    """torchvision's _deeplabv3_mobilenetv3 with aux_loss, its DeepLabHead built with a narrower ASPP
    (torchvision fixes 256 channels; ml-cvnets' DeepLabv3 makes them and the rates arguments)."""
    gen = torch.Generator().manual_seed(seed)
    features = mobilenet_v3_large(weights=None, dilated=True, width_mult=width_mult).features
    stages = [0] + [i for i, b in enumerate(features) if getattr(b, "_is_cn", False)] + [len(features) - 1]
    out_pos, aux_pos = stages[-1], stages[-4]
    out_ch, aux_ch = features[out_pos].out_channels, features[aux_pos].out_channels
    backbone = IntermediateLayerGetter(features, return_layers={str(out_pos): "out", str(aux_pos): "aux"})
    head = torch.nn.Sequential(
        ASPP(out_ch, rates, aspp_channels),
        torch.nn.Conv2d(aspp_channels, aspp_channels, 3, padding=1, bias=False),
        torch.nn.BatchNorm2d(aspp_channels),
        torch.nn.ReLU(),
        torch.nn.Conv2d(aspp_channels, num_classes, 1),
    )
    model = DeepLabV3(backbone, head, FCNHead(aux_ch, num_classes)).eval()
    redraw(model, gen)
    x = torch.randn((1, 3) + size, generator=gen)
    with torch.no_grad():
        feats = model.backbone(x)
        out = model(x)["out"]
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(d, "weights.pth"))
    tensors = {"input": x, "out": out, "features.low": feats["aux"], "features.high": feats["out"]}
    write_safetensors(os.path.join(d, "io.safetensors"), tensors)
    case = {
        "spec": {
            "model": "deeplabv3_mobilenet_v3_large",
            "width_mult": width_mult,
            "num_classes": num_classes,
            "aspp_out_channels": aspp_channels,
            "atrous_rates": list(rates),
        },
        "key_format": "torchvision",
        "weights": "weights.pth",
        "input_shape": list(x.shape),
        # without the aux_classifier, which inference skips
        "num_params": sum(p.numel() for n, p in model.named_parameters() if not n.startswith("aux_classifier.")),
        "outputs": {k: list(v.shape) for k, v in tensors.items() if k != "input"},
        "upstream": "torchvision " + torchvision.__version__ + ", torch " + torch.__version__,
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f, indent=2)
    print(name, case["num_params"], "params", {k: list(v.shape) for k, v in tensors.items()})


def ssdlite_case(out_dir, name, width_mult, num_classes, image_size, seed, post):
    """torchvision's ssdlite320_mobilenet_v3_large (reduced tail, as its COCO weights), end to end:
    the transform, the raw head outputs, the anchors and postprocess_detections. The classification
    head's last convs are scaled up so that scores are spread and NMS compares clear winners."""
    from torchvision.models.detection import ssdlite320_mobilenet_v3_large

    gen = torch.Generator().manual_seed(seed)
    model = ssdlite320_mobilenet_v3_large(
        weights=None, weights_backbone=None, num_classes=num_classes, width_mult=width_mult, **post
    ).eval()
    redraw(model, gen)
    with torch.no_grad():
        for m in model.head.classification_head.module_list:
            m[1].weight.mul_(1.0)
            m[1].bias.copy_(torch.randn(m[1].bias.shape, generator=gen) * 1.0)
    image = torch.rand((3,) + image_size, generator=gen)
    seen = {}
    model.backbone.register_forward_pre_hook(lambda m, i: seen.__setitem__("input", i[0]))
    model.backbone.register_forward_hook(lambda m, i, o: seen.__setitem__("features", list(o.values())))
    model.head.register_forward_hook(lambda m, i, o: seen.__setitem__("head", o))
    model.anchor_generator.register_forward_hook(lambda m, i, o: seen.__setitem__("anchors", o))
    with torch.no_grad():
        det = model([image])[0]
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(d, "weights.pth"))
    tensors = {"image": image[None], "input": seen["input"]}
    for i, f in enumerate(seen["features"]):
        tensors["features.%d" % i] = f
    tensors["bbox_regression"] = seen["head"]["bbox_regression"]
    tensors["cls_logits"] = seen["head"]["cls_logits"]
    tensors["anchors"] = seen["anchors"][0][None]
    tensors["boxes"] = det["boxes"][None]
    tensors["scores"] = det["scores"][None]
    tensors["labels"] = det["labels"].to(torch.float32)[None]
    write_safetensors(os.path.join(d, "io.safetensors"), tensors)
    case = {
        "spec": dict(
            {"model": "ssdlite320_mobilenet_v3_large", "width_mult": width_mult, "num_classes": num_classes}, **post
        ),
        "key_format": "torchvision",
        "weights": "weights.pth",
        "input_shape": list(seen["input"].shape),
        "image_shape": list(image.shape),
        "num_params": sum(p.numel() for p in model.parameters()),
        "detections": int(det["boxes"].shape[0]),
        "outputs": {k: list(v.shape) for k, v in tensors.items()},
        "upstream": "torchvision " + torchvision.__version__ + ", torch " + torch.__version__,
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(case, f, indent=2)
    print(name, case["num_params"], "params", case["detections"], "detections",
          {k: list(v.shape) for k, v in tensors.items()})


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    torch.manual_seed(0)
    out = sys.argv[1]
    lraspp_case(out, "lraspp_mobilenet_v3_large_035", 0.35, 21, (97, 129), 26)
    # rates that reach across the 7x9 map of a small input, so the atrous taps matter
    deeplabv3_case(out, "deeplabv3_mobilenet_v3_large_025", 0.25, 21, (97, 129), 27, 32, (2, 3, 5))
    # an image that is not 320x320, so the transform resizes it and the boxes are mapped back
    # fewer, clearer detections than the defaults (score 0.001, 300 per image) would give random weights
    post = {"score_thresh": 0.3, "topk_candidates": 100, "detections_per_img": 100}
    ssdlite_case(out, "ssdlite320_mobilenet_v3_large_035", 0.35, 5, (240, 300), 28, post)


if __name__ == "__main__":
    main()
