"""Generate PEFT-format LoRA adapter fixtures (and reference logits) against the
``gqa2`` forward fixture.

Run from the repository root, after make_forward_fixtures.py (Debian's
torch/numpy: apt-get install -y python3-torch python3-numpy):

    /usr/bin/python3 model/src/test/python/make_lora_fixtures.py [FORWARD_DIR [OUT_DIR]]

FORWARD_DIR defaults to model/src/test/resources/fixtures/forward (the base
model is FORWARD_DIR/gqa2, the ids are FORWARD_DIR/gqa2/ids.txt) and OUT_DIR to
model/src/test/resources/fixtures/lora. Output per adapter directory:
    adapter_config.json        PEFT LoraConfig (peft_type LORA)
    adapter_model.safetensors  F32 keys base_model.model.<module>.lora_A.weight
                               [r, in] and ...lora_B.weight [out, r] (B random,
                               non-zero)
    logits.f32                 float32 LE [len(ids)][vocab] for the gqa2 ids with
                               this adapter alone applied (weight 1)
and two_adapters/logits_w_0.3_0.9.f32 for both adapters fused with static
weights 0.3 (a1) and 0.9 (a2).

Semantics (PEFT LoraLayer, no dropout, not merged):
    y = W x + b + sum_k w_k * s_k * B_k (A_k x)       (sum of outputs,
                                                       never (sum wB)(sum wA))
    s = lora_alpha / r,  or lora_alpha / sqrt(r) when use_rslora
    r / alpha per module: rank_pattern / alpha_pattern entry whose key K
    matches the module name (e.g. "model.layers.0.self_attn.v_proj") by
    re.match(r"(.*\\.)?(K)$", name) -- K equals the whole name or a
    dot-separated suffix of it (PEFT's get_pattern_key); first matching key in
    dict order wins; otherwise the config's r / lora_alpha.
Deterministic: numpy RandomState with a fixed seed per adapter.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import llama_reference as ref  # noqa: E402

FIXTURES = os.path.normpath(os.path.join(HERE, "..", "resources", "fixtures"))
ALL_SEVEN = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
PARENT = {"q_proj": "self_attn", "k_proj": "self_attn", "v_proj": "self_attn",
          "o_proj": "self_attn", "gate_proj": "mlp", "up_proj": "mlp", "down_proj": "mlp"}
PEFT_PREFIX = "base_model.model."


def adapter_config(r, alpha, target_modules, use_rslora=False, rank_pattern=None,
                   alpha_pattern=None):
    return {
        "alpha_pattern": alpha_pattern or {},
        "auto_mapping": None,
        "base_model_name_or_path": "fixtures/forward/gqa2",
        "bias": "none",
        "fan_in_fan_out": False,
        "inference_mode": True,
        "init_lora_weights": True,
        "layers_pattern": None,
        "layers_to_transform": None,
        "lora_alpha": alpha,
        "lora_dropout": 0.0,
        "modules_to_save": None,
        "peft_type": "LORA",
        "r": r,
        "rank_pattern": rank_pattern or {},
        "revision": None,
        "target_modules": list(target_modules),
        "task_type": "CAUSAL_LM",
        "use_dora": False,
        "use_rslora": use_rslora,
    }


# name -> list of (subdir, seed, adapter_config)
CASES = {
    "plain": [("", 201, adapter_config(4, 8, ALL_SEVEN))],
    "rslora": [("", 202, adapter_config(4, 8, ALL_SEVEN, use_rslora=True))],
    "patterns": [("", 203, adapter_config(4, 8, ["q_proj", "v_proj", "o_proj", "down_proj"],
                                          rank_pattern={"v_proj": 2},
                                          alpha_pattern={"o_proj": 3}))],
    "two_adapters": [("a1", 204, adapter_config(4, 8, ALL_SEVEN)),
                     ("a2", 205, adapter_config(2, 4, ["q_proj", "v_proj", "o_proj",
                                                       "up_proj", "down_proj"]))],
}
FUSION = ("two_adapters", [0.3, 0.9], "logits_w_0.3_0.9.f32")


def targeted_modules(base_cfg, acfg):
    for l in range(base_cfg["num_hidden_layers"]):
        for short in ALL_SEVEN:  # fixed order, independent of target_modules order
            if short in acfg["target_modules"]:
                yield "model.layers.%d.%s.%s" % (l, PARENT[short], short)


def make_adapter(base_cfg, W, acfg, seed):
    """Return (safetensors dict, {module: (scale, A64, B64)})."""
    rng = np.random.RandomState(seed)
    tensors, modules = {}, {}
    for name in targeted_modules(base_cfg, acfg):
        out_f, in_f = W[name + ".weight"].shape
        r, _alpha = ref.peft_r_alpha(acfg, name)
        A = torch.from_numpy((0.2 * rng.standard_normal((r, in_f))).astype(np.float32))
        B = torch.from_numpy((0.1 * rng.standard_normal((out_f, r))).astype(np.float32))
        tensors[PEFT_PREFIX + name + ".lora_A.weight"] = A
        tensors[PEFT_PREFIX + name + ".lora_B.weight"] = B
        modules[name] = (ref.peft_scale(acfg, name), A.to(ref.F64), B.to(ref.F64))
    return tensors, modules


def write_adapter(d, acfg, tensors):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "adapter_config.json"), "w") as f:
        json.dump(acfg, f, indent=2)
        f.write("\n")
    ref.write_safetensors(os.path.join(d, "adapter_model.safetensors"), tensors, {"format": "pt"})


def lora_map(adapters_with_weights):
    """[(fusion weight, {module: (scale, A, B)})] -> forward()'s lora argument."""
    out = {}
    for w, modules in adapters_with_weights:
        for name, (s, A, B) in modules.items():
            out.setdefault(name, []).append((w * s, A, B))
    return out


def main():
    fwd = sys.argv[1] if len(sys.argv) > 1 else os.path.join(FIXTURES, "forward")
    out_root = sys.argv[2] if len(sys.argv) > 2 else os.path.join(FIXTURES, "lora")
    base_dir = os.path.join(fwd, "gqa2")
    with open(os.path.join(base_dir, "config.json")) as f:
        cfg = json.load(f)
    stored, _ = ref.read_safetensors(os.path.join(base_dir, "model.safetensors"))
    W = ref.to_f64(stored)
    with open(os.path.join(base_dir, "ids.txt")) as f:
        ids = [int(t) for t in f.read().split()]
    base_logits = ref.forward(cfg, W, ids)

    built = {}
    for case, adapters in CASES.items():
        case_dir = os.path.join(out_root, case)
        for sub, seed, acfg in adapters:
            d = os.path.join(case_dir, sub) if sub else case_dir
            tensors, modules = make_adapter(cfg, W, acfg, seed)
            write_adapter(d, acfg, tensors)
            # Round trip: the reference uses what was written.
            loaded, _ = ref.read_safetensors(os.path.join(d, "adapter_model.safetensors"))
            for k, v in tensors.items():
                assert torch.equal(loaded[k], v), k
            logits = ref.forward(cfg, W, ids, lora_map([(1.0, modules)]))
            ref.write_f32(os.path.join(d, "logits.f32"), logits)
            built[(case, sub)] = modules
            scales = sorted({"%s=%.4g" % (n.rsplit(".", 1)[1], m[0]) for n, m in modules.items()})
            print("%-22s %2d modules, scales %s; max |logits - base| = %.3f"
                  % (case + ("/" + sub if sub else ""), len(modules), " ".join(scales),
                     (logits - base_logits).abs().max().item()))

    case, weights, fname = FUSION
    subs = [sub for sub, _, _ in CASES[case]]
    fused = ref.forward(cfg, W, ids, lora_map(
        [(w, built[(case, sub)]) for w, sub in zip(weights, subs)]))
    ref.write_f32(os.path.join(out_root, case, fname), fused)
    print("%-22s fused %s; max |logits - base| = %.3f"
          % (case + "/" + fname, weights, (fused - base_logits).abs().max().item()))


if __name__ == "__main__":
    main()
