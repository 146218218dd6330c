"""Times the OFFICIAL SimMIM + SwinV2 pre-training step (or classifier forward): the baselines of `mimscale bench train|forward`.

The official code (microsoft/Swin-Transformer, commit f82860b) is imported from a checkout given on the command line;
it is not part of MimScale. Debian has no timm, so the three helpers the official files import from it are registered
first with timm's semantics: to_2tuple, trunc_normal_ (torch.nn.init.trunc_normal_, the algorithm timm uses) and
DropPath (per-sample stochastic depth: keep with probability 1 - p, scale kept samples by 1 / (1 - p)).

The step is the official one: SimMIM(SwinTransformerV2ForSimMIM) forward -> L1 loss on masked pixels (normalised
targets when asked), backward, clip_grad_norm_(5.0), AdamW on the official pre-training parameter groups
(optimizer.get_pretrain_param_groups), lr 1e-4, weight decay 0.05 - the same work `mimscale bench train` times.
Prints the same lines as `mimscale bench train`, including this process's own 1024x1024 float32 matmul peak.

With --mode forward it times what `mimscale bench forward` times instead: the official SwinTransformerV2 classifier
(1000 classes) in eval mode under torch.no_grad(), on one fixed random batch.

Usage: see bench/README.md, "The fair protocol" (bench/compare-official.sh runs both sides alternately).
"""
import argparse
import importlib.util
import os
import sys
import time
import types
from itertools import repeat

import torch

# Model settings, the same as MimScale's (tests/fixtures/simmim-a/config.json; the zoo's swinv2-tiny pre-training).
MODELS = {
    "simmim-a": dict(img_size=64, patch_size=4, embed_dim=8, depths=[2, 2, 2, 2], num_heads=[1, 2, 4, 8], window_size=4,
                     drop_path_rate=0.0, mask_patch=16, norm_target_window=0),
    "swinv2-tiny": dict(img_size=192, patch_size=4, embed_dim=96, depths=[2, 2, 6, 2], num_heads=[3, 6, 12, 24],
                        window_size=12, drop_path_rate=0.1, mask_patch=32, norm_target_window=47),
}


def install_timm_stand_ins():
    layers = types.ModuleType("timm.models.layers")

    def to_2tuple(x):
        return tuple(x) if isinstance(x, (list, tuple)) else tuple(repeat(x, 2))

    class DropPath(torch.nn.Module):
        def __init__(self, drop_prob=0.0):
            super().__init__()
            self.drop_prob = drop_prob

        def forward(self, x):
            if self.drop_prob == 0.0 or not self.training:
                return x
            keep = 1.0 - self.drop_prob
            shape = (x.shape[0],) + (1,) * (x.ndim - 1)
            return x.div(keep) * torch.floor(keep + torch.rand(shape, dtype=x.dtype, device=x.device))

    def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0):
        return torch.nn.init.trunc_normal_(tensor, mean, std, a, b)

    layers.to_2tuple, layers.DropPath, layers.trunc_normal_ = to_2tuple, DropPath, trunc_normal_
    timm = types.ModuleType("timm")
    models = types.ModuleType("timm.models")
    timm.models, models.layers = models, layers
    sys.modules.update({"timm": timm, "timm.models": models, "timm.models.layers": layers})


def load(name, path, package=None):
    if not os.path.isfile(path):
        sys.exit(f"error: {path}: not found (--checkout must be a clone of microsoft/Swin-Transformer)")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = package
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_official(checkout):
    install_timm_stand_ins()
    package = types.ModuleType("official")
    package.__path__ = [os.path.join(checkout, "models")]
    sys.modules["official"] = package
    for part in ("swin_transformer", "swin_transformer_v2", "simmim"):   # simmim imports the other two relatively
        load(f"official.{part}", os.path.join(checkout, "models", f"{part}.py"), "official")
    return sys.modules["official.simmim"], load("official_optimizer", os.path.join(checkout, "optimizer.py"))


def matmul_peak(n=1024, reps=16):
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best = 0.0
    for _ in range(reps):
        t = time.perf_counter()
        a @ b
        best = max(best, 2.0 * n ** 3 / (time.perf_counter() - t))
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkout", required=True, help="clone of microsoft/Swin-Transformer at f82860b")
    p.add_argument("--mode", choices=["train", "forward"], default="train")
    p.add_argument("--model", choices=sorted(MODELS), required=True)
    p.add_argument("--img", type=int, default=None, help="image size (default: the model's pre-training size)")
    p.add_argument("--window", type=int, default=None, help="window size (default: the model's)")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--norm-target-window", type=int, default=None, help="0 = raw pixels, odd K >= 3 = normalised (default: the model's)")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    simmim, optimizer = load_official(a.checkout)
    m = dict(MODELS[a.model])
    if a.img is not None:
        m["img_size"] = a.img
    if a.window is not None:
        m["window_size"] = a.window
    if a.mode == "forward":
        return forward(simmim, m, a)
    window = m["norm_target_window"] if a.norm_target_window is None else a.norm_target_window
    torch.manual_seed(0)
    encoder = simmim.SwinTransformerV2ForSimMIM(
        img_size=m["img_size"], patch_size=m["patch_size"], in_chans=3, num_classes=0, embed_dim=m["embed_dim"],
        depths=m["depths"], num_heads=m["num_heads"], window_size=m["window_size"], mlp_ratio=4.0, qkv_bias=True,
        drop_rate=0.0, drop_path_rate=m["drop_path_rate"], ape=False, patch_norm=True, use_checkpoint=False)
    config = types.SimpleNamespace(NORM_TARGET=types.SimpleNamespace(ENABLE=window > 0, PATCH_SIZE=window))
    model = simmim.SimMIM(config=config, encoder=encoder, encoder_stride=32, in_chans=3, patch_size=m["patch_size"])
    model.train()
    groups = optimizer.get_pretrain_param_groups(model, model.no_weight_decay(), model.no_weight_decay_keywords())
    opt = torch.optim.AdamW(groups, lr=1e-4, eps=1e-8, betas=(0.9, 0.999), weight_decay=0.05)
    tokens = m["img_size"] // m["patch_size"]
    x = torch.randn(a.batch, 3, m["img_size"], m["img_size"])
    mask = (torch.rand(a.batch, tokens, tokens) < 0.6).long()

    def step():
        loss = model(x, mask)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()

    targets = f"normalised/{window}" if window > 0 else "raw"
    time_and_report(step, a, m, "train", f"targets={targets} ")


def forward(simmim, m, a):
    torch.manual_seed(0)
    swin_v2 = sys.modules["official.swin_transformer_v2"]
    classifier = swin_v2.SwinTransformerV2(
        img_size=m["img_size"], patch_size=m["patch_size"], in_chans=3, num_classes=1000, embed_dim=m["embed_dim"],
        depths=m["depths"], num_heads=m["num_heads"], window_size=m["window_size"], mlp_ratio=4.0, qkv_bias=True,
        drop_rate=0.0, drop_path_rate=m["drop_path_rate"], ape=False, patch_norm=True, use_checkpoint=False)
    classifier.eval()
    x = torch.randn(a.batch, 3, m["img_size"], m["img_size"])

    def step():
        with torch.no_grad():
            classifier(x)

    time_and_report(step, a, m, "forward", "")


def time_and_report(step, a, m, mode, extra):
    """Times a.steps calls of step after a.warmup untimed ones and prints the lines `mimscale bench` prints.
    The matmul peak is the better of one measurement before the warm-up and one after the timed steps."""
    before = matmul_peak()
    for _ in range(a.warmup):
        step()
    t = time.perf_counter()
    for _ in range(a.steps):
        step()
    seconds = time.perf_counter() - t
    after = matmul_peak()
    peak = max(before, after)
    print(f"official {mode}: model={a.model} img={m['img_size']} window={m['window_size']} batch={a.batch} threads={torch.get_num_threads()} "
          f"{extra}torch={torch.__version__} OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}")
    print(f"  steps={a.steps} (after {a.warmup} warm-up) seconds={seconds:.3f} step_ms={1000 * seconds / a.steps:.1f}")
    print(f"  images/s={a.batch * a.steps / seconds:.2f}")
    print(f"  matmul peak GFLOP/s={peak / 1e9:.2f} (before {before / 1e9:.2f}, after {after / 1e9:.2f})")


if __name__ == "__main__":
    main()
