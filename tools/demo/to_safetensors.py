#!/usr/bin/env python3
"""Writes a state dict (.pth) as safetensors (float32 parameters and buffers; integer counters left out).

Usage: python3 tools/demo/to_safetensors.py IN.pth OUT.safetensors
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
from heads import write_safetensors  # noqa: E402

sd = torch.load(sys.argv[1], map_location="cpu")
write_safetensors(sys.argv[2], {k: v for k, v in sd.items() if v.is_floating_point()})
