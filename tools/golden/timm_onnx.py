#!/usr/bin/env python3
"""The upstream ONNX exports of the benchmark networks that have no golden case with one.

For mobilenetv3_large_100, efficientnet_b0, convnext_atto, mobilenetv4_conv_small,
mobilenetv4_hybrid_medium and repvit_m0_9, builds timm's own model, redraws
every parameter and BatchNorm statistic (timing does not depend on them, the logits comparison
does), and writes, per model:

  <out>/<model>.onnx   torch.onnx.export of timm's module (opset 17, batch axis dynamic, at the
                       input size of the model's default pretrained tag)
  <out>/<model>.pth    its state dict under timm's names (EdgeCL reads it with -w)

These are the files `tools/bench-vs-onnxruntime.sh --table --upstream OUT` runs ONNX Runtime on.
Needs a checkout of github.com/huggingface/pytorch-image-models (TIMM=DIR) and Debian's
python3-torch.

Usage: TIMM=DIR python3 tools/golden/timm_onnx.py OUT_DIR [MODEL...]   (another timm model by name
       the same way)
"""
import os
import sys

import torch

MODELS = ["mobilenetv3_large_100", "efficientnet_b0", "convnext_atto", "mobilenetv4_conv_small",
          "mobilenetv4_hybrid_medium", "repvit_m0_9"]


def main(out_dir, models):
    sys.path.insert(0, os.environ.get("TIMM", "."))
    import timm
    os.makedirs(out_dir, exist_ok=True)
    for name in models:
        gen = torch.Generator().manual_seed(0)
        model = timm.create_model(name, pretrained=False).eval()
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.randn(p.shape, generator=gen) * (0.5 / max(1, p[0].numel()) ** 0.5))
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.copy_(torch.rand(m.running_mean.shape, generator=gen) * 0.2 - 0.1)
                    m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) + 0.5)
        state = {k: v.contiguous() for k, v in model.state_dict().items() if v.dtype.is_floating_point}
        torch.save(state, os.path.join(out_dir, name + ".pth"))
        # at the input size of the model's default pretrained tag (256 for mobilenetv4_hybrid_medium)
        size = tuple(model.pretrained_cfg.get("input_size", (3, 224, 224))[1:])
        x = torch.rand((1, 3) + size, generator=gen)
        torch.onnx.export(model, x, os.path.join(out_dir, name + ".onnx"), opset_version=17,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
        print(name, "written")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:] or MODELS)
