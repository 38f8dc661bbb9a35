#!/usr/bin/env python3
"""Reference fixtures for RepViT, computed by timm itself.

Builds small configurations with timm's own constructors, redraws every parameter and statistic
(BatchNorm1d of the heads included) so that no branch is close to identity, sets the BatchNorm
statistics near those of the input's activations (so they stay in a trained network's range), and
writes, per case:

  <out>/<case>/case.json           the spec EdgeCL's --model-config takes, key format and shapes
  <out>/<case>/weights.safetensors the state dict under timm's names
  <out>/<case>/io.safetensors      input (NCHW float32), logits, features.<i> (forward_intermediates)

Needs a checkout of github.com/huggingface/pytorch-image-models (TIMM=DIR) and Debian's
python3-torch. Also prints timm's parameter count of every registered RepViT.

Usage: TIMM=DIR python3 tools/golden/timm_families.py OUT_DIR
"""
import os
import sys

import torch


def redraw(model, gen):
    from heads import redraw_all, redraw_batchnorm
    redraw_all(model, gen)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm1d):
                redraw_batchnorm(m, gen)
        # The BatchNorm that ends a residual MLP branch starts at zero in timm (bn_weight_init=0),
        # the role layer scales have elsewhere: drawn from 0.2 to 0.5, as the other fixtures' layer scales.
        for n, m in model.named_modules():
            if n.endswith("conv2.bn"):
                m.weight.copy_(0.2 + 0.3 * torch.rand(m.num_features, generator=gen))


def calibrate(model, x, gen):
    """Sets each BatchNorm2d's variance near the size of what reaches it for x, in one forward, as
    trained networks have it: RepViT's residual sums (x + conv(x) + conv1(x) in every token
    mixer) would otherwise grow the activations block by block past fp16's range."""
    def pre(m, inp):
        # scaled by the input's root mean square, not centred on its mean: where a channel is
        # almost constant (maps of a few pixels), subtracting its mean would leave only rounding,
        # and the reference would amplify it
        t = inp[0].detach()
        rms = t.pow(2).mean((0, 2, 3)).add(0.1).sqrt()
        c = m.num_features
        m.running_mean.copy_(0.2 * torch.randn(c, generator=gen))
        m.running_var.copy_((rms * (0.8 + 0.4 * torch.rand(c, generator=gen))) ** 2)
    hooks = [m.register_forward_pre_hook(pre) for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()


def case(out_dir, name, spec, make, size, seed):
    from timm_dilated import case as write_case
    write_case(out_dir, name, spec, make, size, seed, redraw_fn=redraw, after_input=calibrate)


def main():
    timm_dir = os.environ.get("TIMM")
    if not timm_dir or len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, os.path.abspath(timm_dir))
    import timm
    from timm.models.repvit import RepVit
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
    for n in ("repvit_m0_9", "repvit_m1_0", "repvit_m1_1", "repvit_m1_5", "repvit_m2_3", "repvit_m1", "repvit_m2",
              "repvit_m3"):
        m = timm.create_model(n)
        print('"%s, %d",' % (n, sum(p.numel() for p in m.parameters())))


if __name__ == "__main__":
    main()
