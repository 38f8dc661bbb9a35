#!/usr/bin/env python3
"""Reference fixtures for backbones at output stride 16 and 8, computed by timm itself.

timm turns the strides past the output stride into dilation (ConvNeXt, and the MobileNet /
EfficientNet builder); this script builds small configurations of those families with timm's own
constructors and `output_stride`, redraws every parameter and statistic (layer scales 0.2-0.5) so
that no block is close to identity, and writes, per case:

  <out>/<case>/case.json          the spec EdgeCL's --model-config takes, key format and shapes
  <out>/<case>/weights.safetensors the state dict under timm's names
  <out>/<case>/io.safetensors     input (NCHW float32), logits, features.<i> (forward_intermediates;
                                  MobileNetV3: timm's features_only model, features only)

Needs a checkout of github.com/huggingface/pytorch-image-models (TIMM=DIR) and Debian's
python3-torch.

Usage: TIMM=DIR python3 tools/golden/timm_dilated.py OUT_DIR
"""
import json
import os
import sys

import torch


def redraw(model, gen):
    from heads import redraw_all
    redraw_all(model, gen, layer_scales=True)


def case(out_dir, name, spec, make, size, seed, redraw_fn=None, after_input=None):
    """One fixture: the model made, its parameters redrawn (redraw_fn, default redraw), a random
    input drawn, then after_input(model, x, gen) if given, and the outputs written."""
    import timm
    from heads import write_safetensors
    gen = torch.Generator().manual_seed(seed)
    model = make().eval()
    (redraw_fn or redraw)(model, gen)
    x = torch.rand((1, 3) + size, generator=gen)
    if after_input:
        after_input(model, x, gen)
    with torch.no_grad():
        if hasattr(model, "feature_info") and not hasattr(model, "forward_intermediates"):
            # a features_only model (timm dilates MobileNetV3 only there): features, no logits
            logits, feats = None, model(x)
        else:
            logits = model(x)
            feats = model.forward_intermediates(x, intermediates_only=True)
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    write_safetensors(os.path.join(d, "weights.safetensors"), model.state_dict())
    tensors = {"input": x} if logits is None else {"input": x, "logits": logits}
    for i, f in enumerate(feats):
        tensors["features.%d" % i] = f
    write_safetensors(os.path.join(d, "io.safetensors"), tensors)
    c = {
        "case": name,
        "spec": spec,
        "key_format": "timm",
        "weights": "weights.safetensors",
        "input_shape": list(x.shape),
        "num_params": sum(p.numel() for p in model.parameters()),
        "features": [list(f.shape) for f in feats],
        # no classifier: build it with buildFeatures
        "features_only": logits is None,
        "upstream": "timm " + timm.__version__ + ", torch " + torch.__version__,
    }
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(c, f, indent=2)
    print(name, c["num_params"], "params", [list(f.shape) for f in feats])


def main():
    timm_dir = os.environ.get("TIMM")
    if not timm_dir or len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, os.path.abspath(timm_dir))
    import timm
    from timm.models.convnext import ConvNeXt
    from timm.models.efficientnet import _gen_efficientnet, _gen_efficientnetv2_s
    out = sys.argv[1]
    torch.manual_seed(0)
    tiny = {"depths": [1, 1, 2, 1], "dims": [16, 32, 48, 64]}
    for os_, seed in ((16, 40), (8, 41)):
        case(out, "convnext_cfg_os%d" % os_, dict({"family": "convnext", "num_classes": 10, "output_stride": os_}, **tiny),
             lambda: ConvNeXt(num_classes=10, output_stride=os_, **tiny), (64, 64), seed)
    case(out, "efficientnet_b0_025_os8",
         {"family": "efficientnet", "variant": "efficientnet_b0", "channel_multiplier": 0.25, "depth_multiplier": 0.5,
          "num_classes": 10, "output_stride": 8},
         lambda: _gen_efficientnet("efficientnet_b0", channel_multiplier=0.25, depth_multiplier=0.5, num_classes=10,
                                   output_stride=8), (64, 64), 42)
    # TensorFlow "same" padding with dilation
    case(out, "efficientnetv2_tf_025_os16",
         {"family": "efficientnetv2", "variant": "tf_efficientnetv2_s", "channel_multiplier": 0.25,
          "depth_multiplier": 0.3, "num_classes": 10, "output_stride": 16},
         lambda: _gen_efficientnetv2_s("tf_efficientnetv2_s", channel_multiplier=0.25, depth_multiplier=0.3,
                                       num_classes=10, output_stride=16, bn_eps=1e-3, pad_type="same"),
         (64, 64), 43)
    # timm's MobileNetV3 classifier has no output_stride; its features_only form has (no head, no logits)
    case(out, "mobilenetv3_small_050_os8", {"model": "mobilenetv3_small_050", "output_stride": 8},
         lambda: timm.create_model("mobilenetv3_small_050", features_only=True, output_stride=8), (64, 64), 44)


if __name__ == "__main__":
    main()
