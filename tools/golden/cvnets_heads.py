#!/usr/bin/env python3
"""Reference fixtures for ml-cvnets' DeepLabv3 and SSD on MobileViT, computed by ml-cvnets itself.

Builds the model with ml-cvnets' own option parser and model registry, from its Pascal VOC
configuration (config/segmentation/pascal_voc/deeplabv3_mobilevit.yaml) with the MobileViT mode,
output stride, ASPP width and rates of each case, redraws every parameter and statistic so that
no layer is close to identity, and writes:

  <out>/<case>/case.json        the spec EdgeCL's --model-config takes, and the shapes
  <out>/<case>/weights.pt       the plain state_dict (aux_head included), as Apple's checkpoints are saved
  <out>/<case>/io.safetensors   input (NCHW float32), out, features.l4 and features.l5 (NCHW)

the same for ml-cvnets' SSD (config/detection/ssd_coco/mobilevit.yaml; io.safetensors: input,
the head's raw cls_logits and bbox_regression as ml-cvnets' ssd_forward returns them (its
"scores" and "boxes"), the anchors, features.i of the six levels, and the detections of
postprocess_detections mapped to an image of image_shape as ml-cvnets' evaluation maps them),
and the same for ml-cvnets' MobileViT classifier (io.safetensors: input, logits, features.i as
timm numbers them), whose ImageNet
checkpoints have the same encoder names without the "encoder." prefix.

Needs a checkout of github.com/apple/ml-cvnets at commit 77717569ab4a852614dae01f010b32b820cb33bb
(ML_CVNETS=DIR) and Debian's python3-torch, python3-torchvision, python3-torchaudio,
python3-packaging and python3-sklearn. The text, COCO and torchtext modules that ml-cvnets' option
parser imports and these models never call are replaced by empty modules.

Usage: ML_CVNETS=DIR python3 tools/golden/cvnets_heads.py OUT_DIR
       ML_CVNETS=DIR python3 tools/golden/cvnets_heads.py --onnx MODEL.onnx WEIGHTS.pt
       ML_CVNETS=DIR python3 tools/golden/cvnets_heads.py --onnx-ssd MODEL.onnx WEIGHTS.pt
(the second form: deeplabv3_mobilevit_xxs as registered, redrawn weights, and its torch.onnx
export at 1x3x512x512, opset 17, for the ONNX Runtime comparison; the third: ssd_mobilevit_xxs
likewise at 1x3x320x320, its head's outputs without post-processing)
"""
import importlib.abc
import importlib.machinery
import json
import os
import sys
import types

UNUSED = ("ftfy", "pycocotools", "torchtext")


class _Empty(types.ModuleType):
    __path__ = []

    def __getattr__(self, k):
        if k.startswith("__"):
            raise AttributeError(k)
        return type(k, (), {"__init__": lambda *a, **kw: None})


class _Unused(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in UNUSED:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        return _Empty(spec.name)

    def exec_module(self, m):
        pass


def build(cvnets, mode, output_stride, aspp_channels, rates, classes):
    sys.argv = ["cvnets_heads", "--common.config-file",
                os.path.join(cvnets, "config/segmentation/pascal_voc/deeplabv3_mobilevit.yaml")]
    from options.opts import get_training_arguments
    opts = get_training_arguments()
    for k, v in {
        "model.classification.mit.mode": mode,
        "model.classification.pretrained": None,
        "model.segmentation.pretrained": None,
        "model.normalization.name": "batch_norm",
        "model.segmentation.output_stride": output_stride,
        "model.segmentation.n_classes": classes,
        "model.segmentation.deeplabv3.aspp_out_channels": aspp_channels,
        "model.segmentation.deeplabv3.aspp_rates": tuple(rates),
    }.items():
        setattr(opts, k, v)
    from cvnets import get_model
    return get_model(opts).eval()


def build_classifier(cvnets, mode, classes):
    sys.argv = ["cvnets_heads", "--common.config-file",
                os.path.join(cvnets, "config/classification/imagenet/mobilevit.yaml")]
    from options.opts import get_training_arguments
    opts = get_training_arguments()
    setattr(opts, "model.classification.mit.mode", mode)
    setattr(opts, "model.classification.pretrained", None)
    setattr(opts, "model.classification.n_classes", classes)
    setattr(opts, "model.normalization.name", "batch_norm")
    from cvnets import get_model
    return get_model(opts).eval()


def classifier_case(cvnets, out_dir, name, model_name, mode, classes, size, seed):
    """ml-cvnets' MobileViT classifier: its ImageNet checkpoints' names (conv_1, layer_N, conv_1x1_exp, classifier.fc)."""
    import torch
    from heads import write_safetensors
    gen = torch.Generator().manual_seed(seed)
    model = build_classifier(cvnets, mode, classes)
    redraw(model, gen, torch)
    x = torch.rand((1, 3) + size, generator=gen)
    with torch.no_grad():
        logits = model(x)
        ends = model.extract_end_points_all(x, use_l5=True, use_l5_exp=True)
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(d, "weights.pt"))
    # timm's features: the maps before each stride change (layer_1 to layer_4), then conv_1x1_exp's
    tensors = {"input": x, "logits": logits}
    for i, k in enumerate(["out_l1", "out_l2", "out_l3", "out_l4", "out_l5_exp"]):
        tensors["features." + str(i)] = ends[k]
    write_safetensors(os.path.join(d, "io.safetensors"), tensors)
    c = {
        "spec": {"model": model_name, "num_classes": classes},
        "key_format": "official",
        "weights": "weights.pt",
        "input_shape": list(x.shape),
        "num_params": sum(p.numel() for p in model.parameters()),
        "outputs": {k: list(v.shape) for k, v in tensors.items() if k != "input"},
        "upstream": "ml-cvnets 77717569ab4a852614dae01f010b32b820cb33bb, torch " + torch.__version__,
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(c, f, indent=2)
    print(name, c["num_params"], "params", list(logits.shape))


def redraw(model, gen, torch):
    """heads.redraw's convolutions and BatchNorms, then the transformers' Linear and LayerNorm layers."""
    from heads import redraw_all
    redraw_all(model, gen)


def case(cvnets, out_dir, name, backbone, mode, output_stride, aspp_channels, rates, classes, size, seed,
         foreign=None):
    import torch
    from heads import write_safetensors
    gen = torch.Generator().manual_seed(seed)
    if foreign:
        with foreign_encoders(foreign, backbone, gen, size):
            model = build(cvnets, mode, output_stride, aspp_channels, rates, classes)
    else:
        model = build(cvnets, mode, output_stride, aspp_channels, rates, classes)
    redraw(model, gen, torch)
    x = torch.rand((1, 3) + size, generator=gen)
    with torch.no_grad():
        ends = model.encoder.extract_end_points_all(x, use_l5=True, use_l5_exp=False)
        out = model(x)
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(d, "weights.pt"))
    tensors = {"input": x, "out": out, "features.l4": ends["out_l4"], "features.l5": ends["out_l5"]}
    write_safetensors(os.path.join(d, "io.safetensors"), tensors)
    spec = {
        "task": "segmentation",
        "head": "deeplabv3",
        "backbone": backbone if isinstance(backbone, dict) else {"model": backbone},
        "output_stride": output_stride,
        "num_classes": classes,
        "aspp_out_channels": aspp_channels,
        "atrous_rates": list(rates),
    }
    c = {
        "spec": spec,
        "key_format": "timm" if foreign else "official",
        "weights": "weights.pt",
        "input_shape": list(x.shape),
        # without the aux_head, which inference skips
        "num_params": sum(p.numel() for n, p in model.named_parameters() if ".aux_head." not in n),
        "outputs": {k: list(v.shape) for k, v in tensors.items() if k != "input"},
        "upstream": "ml-cvnets 77717569ab4a852614dae01f010b32b820cb33bb, torch " + torch.__version__,
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(c, f, indent=2)
    print(name, c["num_params"], "params", {k: list(v.shape) for k, v in tensors.items()})


def build_ssd(cvnets, mode, classes, post):
    sys.argv = ["cvnets_heads", "--common.config-file",
                os.path.join(cvnets, "config/detection/ssd_coco/mobilevit.yaml")]
    from options.opts import get_training_arguments
    opts = get_training_arguments()
    settings = {
        "model.classification.mit.mode": mode,
        "model.classification.pretrained": None,
        "model.detection.pretrained": None,
        "model.normalization.name": "batch_norm",
        "model.detection.n_classes": classes,
    }
    for k, v in post.items():
        settings["model.detection.ssd." + k] = v
    for k, v in settings.items():
        setattr(opts, k, v)
    from cvnets import get_model
    return get_model(opts).eval()


def ssd_case(cvnets, out_dir, name, backbone, mode, classes, size, image_hw, seed, post, foreign=None):
    """ml-cvnets' SSD end to end: the raw head outputs, the anchors, the six levels' features, and
    the detections of postprocess_detections, their boxes mapped to an image of image_hw (scaled by
    its width and height, then clipped, as ml-cvnets' evaluation does). The class columns' biases
    are redrawn larger so that scores are spread and NMS compares clear winners."""
    import torch
    from heads import write_safetensors
    gen = torch.Generator().manual_seed(seed)
    if foreign:
        with foreign_encoders(foreign, backbone, gen, size):
            model = build_ssd(cvnets, mode, classes, post)
    else:
        model = build_ssd(cvnets, mode, classes, post)
    redraw(model, gen, torch)
    with torch.no_grad():
        for head in model.ssd_heads:
            conv = head.loc_cls_layer.pw_conv if hasattr(head.loc_cls_layer, "pw_conv") else head.loc_cls_layer
            bias = conv.block.conv.bias.view(-1, 4 + classes)
            bias[:, 4:] = torch.randn(bias[:, 4:].shape, generator=gen) * 1.5
    x = torch.rand((1, 3) + size, generator=gen)
    with torch.no_grad():
        ends = model.get_backbone_features(x)
        confidences, locations, anchors = model.ssd_forward(ends)
        scores = torch.nn.Softmax(dim=-1)(confidences)
        boxes = model.match_prior.convert_to_boxes(pred_locations=locations, anchors=anchors)
        det = model.postprocess_detections(boxes=boxes, scores=scores)[0]
        out = model(x)
    assert torch.equal(out["scores"], confidences) and torch.equal(out["boxes"], locations)
    h, w = image_hw
    mapped = det.boxes.clone()
    mapped[:, 0::2] = torch.clamp(mapped[:, 0::2] * w, 0, w)
    mapped[:, 1::2] = torch.clamp(mapped[:, 1::2] * h, 0, h)
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(d, "weights.pt"))
    tensors = {"input": x}
    for i, os_ in enumerate(model.output_strides):
        tensors["features.%d" % i] = ends["os_%d" % os_]
    tensors["bbox_regression"] = locations
    tensors["cls_logits"] = confidences
    tensors["anchors"] = anchors
    tensors["boxes"] = mapped[None]
    tensors["scores"] = det.scores[None]
    tensors["labels"] = det.labels.to(torch.float32)[None]
    write_safetensors(os.path.join(d, "io.safetensors"), tensors)
    # the model's own size stays 320; the fixture's input runs at its shape
    spec = dict({"task": "detection", "head": "ssd", "backbone": backbone if isinstance(backbone, dict) else {"model": backbone}, "num_classes": classes}, **post)
    c = {
        "spec": spec,
        "key_format": "timm" if foreign else "official",
        "weights": "weights.pt",
        "input_shape": list(x.shape),
        "image_shape": [1, 3, h, w],
        "num_params": sum(p.numel() for p in model.parameters()),
        "detections": int(det.scores.shape[0]),
        "outputs": {k: list(v.shape) for k, v in tensors.items() if k != "input"},
        "upstream": "ml-cvnets 77717569ab4a852614dae01f010b32b820cb33bb, torch " + torch.__version__,
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(c, f, indent=2)
    print(name, c["num_params"], "params", c["detections"], "detections",
          {k: list(v.shape) for k, v in tensors.items()})


def export(cvnets, onnx_path, weights_path):
    import torch
    gen = torch.Generator().manual_seed(34)
    model = build(cvnets, "xx_small", 8, 256, (12, 24, 36), 21)
    redraw(model, gen, torch)
    torch.save(model.state_dict(), weights_path)
    x = torch.rand((1, 3, 512, 512), generator=gen)
    torch.onnx.export(model, x, onnx_path, opset_version=17, input_names=["input"], output_names=["out"])
    print("wrote", onnx_path, weights_path)


def foreign_encoders(kind, name, gen, size):
    """While active, ml-cvnets' builders get `name` as their image encoder: timm's model (kind
    "timm") or the official EdgeViT repository's (kind "edgevit"), its stem and stages registered
    on an ml-cvnets BaseImageEncoder under their own names (so the keys are encoder.<their names>,
    the classifier head and final norm left out), its last two stage outputs as out_l4 and out_l5."""
    import contextlib
    import torch
    from cvnets.models.classification.base_image_encoder import BaseImageEncoder
    import cvnets.models.detection.base_detection as det
    import cvnets.models.segmentation.enc_dec as seg

    def make():
        if kind == "timm":
            import timm
            net = timm.create_model(name, pretrained=False)
            parts = {"stem": net.stem, "stages": net.stages}
            stages = [[st] for st in net.stages]
            stages[0].insert(0, net.stem)
            chs = [i["num_chs"] for i in net.feature_info]
        else:
            import edgevit
            # its patch embeddings check the input size they were made for (square)
            assert size[0] == size[1]
            if isinstance(name, dict):
                # EdgeCL's EdgeViT spec: the repository's constructor arguments
                cfg = {k: v for k, v in name.items() if k != "family"}
                net = edgevit.EdgeVit(img_size=size[0], **cfg)
            else:
                net = getattr(edgevit, name)(img_size=size[0])
            parts, stages = {}, []
            for i in range(1, 5):
                pe, blocks = getattr(net, "patch_embed%d" % i), getattr(net, "blocks%d" % i)
                parts["patch_embed%d" % i], parts["blocks%d" % i] = pe, blocks
                stages.append([pe] + list(blocks))
            chs = list(net.embed_dim)
        with torch.no_grad():
            for n, p in net.named_parameters():
                if n.endswith("gamma"):
                    p.copy_(0.2 + 0.3 * torch.rand(p.shape, generator=gen))
                elif n.endswith("temperature"):
                    p.copy_(0.5 + 1.5 * torch.rand(p.shape, generator=gen))
        return parts, stages, chs

    class ForeignEncoder(BaseImageEncoder):
        def __init__(self, opts):
            super().__init__(opts)
            parts, self._stages, chs = make()
            for n, m in parts.items():
                setattr(self, n, m)
            names = ["layer2", "layer3", "layer4", "layer5"][-len(chs):]
            conf = {"conv1": {"in": 3, "out": chs[0]}, "layer1": {"in": chs[0], "out": chs[0]}}
            for i, n in enumerate(names):
                conf[n] = {"in": chs[max(0, i - 1)], "out": chs[i]}
            conf["exp_before_cls"] = {"in": chs[-1], "out": chs[-1]}
            self.model_conf_dict = conf

        def extract_end_points_all(self, x, use_l5=True, use_l5_exp=False, *args, **kwargs):
            out = {}
            for i, stage in enumerate(self._stages):
                for m in stage:
                    x = m(x)
                out["out_l%d" % (i + 2)] = x
            return out

    @contextlib.contextmanager
    def patched():
        saved = det.get_model, seg.get_model

        def get_model(opts, category=None, *args, **kwargs):
            if category == "classification":
                return ForeignEncoder(opts)
            return saved[1](opts, category=category, *args, **kwargs)

        det.get_model = seg.get_model = get_model
        try:
            yield
        finally:
            det.get_model, seg.get_model = saved

    return patched()


def export_ssd(cvnets, onnx_path, weights_path):
    """ssd_mobilevit_xxs as registered (81 classes), redrawn, exported at 1x3x320x320 without
    post-processing: the dense part, cls_logits and bbox_regression as ssd_forward gives them."""
    import torch
    gen = torch.Generator().manual_seed(36)
    model = build_ssd(cvnets, "xx_small", 81, {})
    redraw(model, gen, torch)
    torch.save(model.state_dict(), weights_path)

    class Dense(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, x):
            confidences, locations, _ = self.m.ssd_forward(self.m.get_backbone_features(x))
            return confidences, locations

    x = torch.rand((1, 3, 320, 320), generator=gen)
    torch.onnx.export(Dense(model).eval(), x, onnx_path, opset_version=17, input_names=["input"],
                      output_names=["cls_logits", "bbox_regression"])
    print("wrote", onnx_path, weights_path)


def main():
    cvnets = os.environ.get("ML_CVNETS")
    flags = ("--onnx", "--onnx-ssd")
    if not cvnets or len(sys.argv) not in (2, 4) or (len(sys.argv) == 4 and sys.argv[1] not in flags):
        sys.exit(__doc__)
    paths = [os.path.abspath(a) for a in sys.argv[1:] if a not in flags]
    sys.meta_path.insert(0, _Unused())
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, os.path.abspath(cvnets))
    os.chdir(cvnets)
    import torch
    torch.manual_seed(0)
    if len(paths) == 2:
        (export_ssd if sys.argv[1] == "--onnx-ssd" else export)(cvnets, paths[0], paths[1])
        return
    out = paths[0]
    # rates that reach across the small maps, so the atrous taps matter
    case(cvnets, out, "deeplabv3_mobilevit_xxs_os8", "mobilevit_xxs", "xx_small", 8, 32, (2, 3, 5), 21, (96, 128), 31)
    classifier_case(cvnets, out, "mobilevit_xxs_cvnets", "mobilevit_xxs", "xx_small", 10, (128, 192), 33)
    case(cvnets, out, "deeplabv3_mobilevit_xxs_os16", "mobilevit_xxs", "xx_small", 16, 24, (1, 2, 3), 7, (96, 128), 32)
    # not square, so the anchors' x and y steps differ; fewer, clearer detections than the
    # defaults (confidence 0.01, 200 per image) would give random weights
    post = {"conf_threshold": 0.3, "top_k": 100, "objects_per_image": 100}
    ssd_case(cvnets, out, "ssd_mobilevit_xxs", "mobilevit_xxs", "xx_small", 6, (192, 256), (300, 420), 35, post)
    timm, edgevit = os.environ.get("TIMM"), os.environ.get("EDGEVIT")
    if timm:
        # the heads on timm's EdgeNeXt (the EdgeNeXt paper's SSDLite and DeepLabv3 setting)
        sys.path.insert(0, os.path.abspath(timm))
        ssd_case(cvnets, out, "ssd_edgenext_xx_small", "edgenext_xx_small", None, 6, (192, 256), (300, 420), 37,
                 post, foreign="timm")
        case(cvnets, out, "deeplabv3_edgenext_xx_small", "edgenext_xx_small", None, 32, 32, (1, 2, 3), 7,
             (128, 160), 38, foreign="timm")
        if edgevit:
            # and on the official EdgeViT (its src/edgevit.py imports timm)
            sys.path.insert(0, os.path.join(os.path.abspath(edgevit), "src"))
            # a small EdgeViT (the edgevit_tiny fixture's configuration) keeps the files small
            tiny = {"family": "edgevit", "depth": [1, 1, 2, 1], "embed_dim": [16, 32, 48, 64], "head_dim": 16,
                    "mlp_ratio": [4, 4, 4, 4], "sr_ratios": [4, 2, 2, 1]}
            ssd_case(cvnets, out, "ssd_edgevit_tiny", tiny, None, 6, (256, 256), (300, 420), 39, post,
                     foreign="edgevit")
    if not timm or not edgevit:
        print("TIMM or EDGEVIT is not set: the EdgeNeXt or EdgeViT cases are not written")


if __name__ == "__main__":
    main()
