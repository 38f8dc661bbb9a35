#!/usr/bin/env python3
"""Reference fixtures for RepViT and MobileNetV4, computed by timm itself.

Builds small configurations with timm's own constructors, redraws every parameter and statistic
(BatchNorm1d of the heads included) so that no branch is close to identity, sets the BatchNorm
statistics near those of the input's activations (so they stay in a trained network's range), and
writes, per case:

  <out>/<case>/case.json           the spec EdgeCL's --model-config takes, key format and shapes
  <out>/<case>/weights.safetensors the state dict under timm's names
  <out>/<case>/io.safetensors      input (NCHW float32), logits, features.<i> (forward_intermediates)

Needs a checkout of github.com/huggingface/pytorch-image-models (TIMM=DIR) and Debian's
python3-torch. Also prints timm's parameter count of every registered RepViT and MobileNetV4.

Usage: TIMM=DIR python3 tools/golden/timm_families.py OUT_DIR
"""
import os
import sys

import torch


def redraw(model, gen):
    from heads import redraw_all, redraw_batchnorm
    redraw_all(model, gen, layer_scales=True)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm1d):
                redraw_batchnorm(m, gen)
        # The BatchNorm that ends a residual MLP branch starts at zero in timm (bn_weight_init=0),
        # the role layer scales have elsewhere: drawn from 0.2 to 0.5, as the other fixtures' layer scales.
        for n, m in model.named_modules():
            if n.endswith("conv2.bn"):
                m.weight.copy_(0.2 + 0.3 * torch.rand(m.num_features, generator=gen))


def calibrate(model, x, gen, per_channel=True):
    """Sets each BatchNorm2d's variance near the size of what reaches it for x, in one forward, as
    trained networks have it: RepViT's residual sums (x + conv(x) + conv1(x) in every token
    mixer) would otherwise grow the activations block by block past fp16's range."""
    def pre(m, inp):
        # scaled by the input's root mean square, not centred on its mean: where a channel is
        # almost constant (maps of a few pixels), subtracting its mean would leave only rounding,
        # and the reference would amplify it
        t = inp[0].detach()
        rms = t.pow(2).mean((0, 2, 3)).add(0.1).sqrt()
        if not per_channel:
            # one scale for the whole layer: a per-channel one equalises the channels and so lifts
            # the relative rounding error of the smallest to that of the largest, layer after
            # layer (by about 4x per BatchNorm on MobileNetV4's 2x3 maps)
            rms = rms.pow(2).mean().sqrt().expand(rms.shape)
        c = m.num_features
        m.running_mean.copy_(0.2 * torch.randn(c, generator=gen))
        m.running_var.copy_((rms * (0.8 + 0.4 * torch.rand(c, generator=gen))) ** 2)
    hooks = [m.register_forward_pre_hook(pre) for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()


def case(out_dir, name, spec, make, size, seed, per_channel=True):
    from timm_dilated import case as write_case
    write_case(out_dir, name, spec, make, size, seed, redraw_fn=redraw,
               after_input=lambda m, x, g: calibrate(m, x, g, per_channel))


def main():
    timm_dir = os.environ.get("TIMM")
    if not timm_dir or len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, os.path.abspath(timm_dir))
    import timm
    from timm.models.repvit import RepVit
    from timm.models.mobilenetv3 import _gen_mobilenet_v4
    out = sys.argv[1]
    torch.manual_seed(0)
    # squeeze-excite in every other block, downsampling blocks, distillation head averaged
    cfg = {"embed_dim": [16, 32, 48, 64], "depth": [2, 1, 3, 1], "num_classes": 10}
    case(out, "repvit_cfg", dict({"family": "repvit"}, **cfg), lambda: RepVit(**cfg), (64, 64), 50)
    # the first releases' token mixer (a BatchNorm on the 1x1 branch), 5x5 windows, one head,
    # a wider MLP, three stages and odd map sizes
    leg = {"embed_dim": [24, 40, 56], "depth": [1, 2, 2], "legacy": True, "distillation": False, "kernel_size": 5,
           "mlp_ratio": 3, "num_classes": 7}
    case(out, "repvit_cfg_legacy", dict({"family": "repvit"}, **leg), lambda: RepVit(**leg), (72, 56), 51)
    # MobileNetV4 at a tenth to a quarter of the width: conv (cn and uir blocks of every form), hybrid medium
    # (edge residual, multi-query attention with and without key/value downsampling, layer scales),
    # hybrid large (GELU, 8 heads of 48) with average-pool anti-aliasing, and blur anti-aliasing
    mnv4 = (("mobilenetv4_conv_small_025", "mobilenetv4_conv_small", 0.25, {}, (64, 80), 60),
            ("mobilenetv4_hybrid_medium_0125", "mobilenetv4_hybrid_medium", 0.125, {}, (96, 112), 61),
            ("mobilenetv4_hybrid_large_01_aa", "mobilenetv4_hybrid_large", 0.1, {"aa_layer": "avg"}, (96, 96), 62),
            ("mobilenetv4_conv_blur_medium_01", "mobilenetv4_conv_blur_medium", 0.1, {"aa_layer": "blurpc"}, (64, 72),
             63))
    for name, variant, ch, extra, size, seed in mnv4:
        spec = dict({"family": "mobilenetv4", "variant": variant, "channel_multiplier": ch, "num_classes": 10},
                    **extra)
        case(out, name, spec, lambda v=variant, c=ch, e=extra: _gen_mobilenet_v4(v, c, num_classes=10, **e), size,
             seed, per_channel=False)
    for n in ("mobilenetv4_conv_small_035", "mobilenetv4_conv_small_050", "mobilenetv4_conv_small",
              "mobilenetv4_conv_medium", "mobilenetv4_conv_large", "mobilenetv4_hybrid_medium",
              "mobilenetv4_hybrid_large", "mobilenetv4_conv_aa_medium", "mobilenetv4_conv_blur_medium",
              "mobilenetv4_conv_aa_large", "mobilenetv4_hybrid_medium_075", "mobilenetv4_hybrid_large_075"):
        m = timm.create_model(n)
        print('"%s, %d",' % (n, sum(p.numel() for p in m.parameters())))
    for n in ("repvit_m0_9", "repvit_m1_0", "repvit_m1_1", "repvit_m1_5", "repvit_m2_3", "repvit_m1", "repvit_m2",
              "repvit_m3"):
        m = timm.create_model(n)
        print('"%s, %d",' % (n, sum(p.numel() for p in m.parameters())))


if __name__ == "__main__":
    main()
