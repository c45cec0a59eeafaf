"""Generate the Llama forward-pass reference fixtures for the Java tests.

Run from the repository root (Debian's torch/numpy; the first python3 on PATH
may be a different interpreter without them):

    apt-get install -y python3-torch python3-numpy
    /usr/bin/python3 model/src/test/python/make_forward_fixtures.py [OUT_DIR]

OUT_DIR defaults to model/src/test/resources/fixtures/forward. Every case
directory gets
    config.json        HF LlamaForCausalLM config
    model.safetensors  HF tensor names, stored in the case's dtype
    ids.txt            space-separated token ids (first is BOS = 1)
    logits.f32         float32 LE [len(ids)][vocab]; row t = logits after
                       feeding ids[0..t]
The output is deterministic (numpy RandomState with a fixed seed per case).
The logits come from llama_reference.forward, computed in float64 from the
stored (possibly BF16/F16-rounded) weights. Run make_lora_fixtures.py after
this script (the LoRA fixtures use the gqa2 case as base).
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

DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "resources", "fixtures", "forward"))

TORCH_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}

BASE = dict(
    hidden_size=32,
    intermediate_size=40,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    head_dim=None,  # filled in as hidden/heads when not given
    vocab_size=64,
    max_position_embeddings=128,
    rms_norm_eps=1e-5,
    rope_theta=10000.0,
    rope_scaling=None,
    tie_word_embeddings=True,
    attention_bias=False,
    mlp_bias=False,
    eos_token_id=2,
    torch_dtype="float32",
    n_tokens=12,
)

# name -> (seed, overrides, description)
CASES = [
    ("mha", 101, dict(num_attention_heads=4, num_key_value_heads=4, tie_word_embeddings=True),
     "multi-head attention (4 heads == 4 KV heads), F32, tied lm_head"),
    ("gqa2", 102, dict(num_attention_heads=4, num_key_value_heads=2, intermediate_size=48,
                       vocab_size=72, tie_word_embeddings=False, rms_norm_eps=1e-6),
     "GQA 4 query heads / 2 KV heads (2 queries per KV head), F32, untied lm_head, eps 1e-6"),
    ("gqa4", 103, dict(num_attention_heads=8, num_key_value_heads=2, head_dim=4),
     "GQA 8 query heads / 2 KV heads (4 queries per KV head), head_dim 4, F32, tied"),
    ("head_dim", 104, dict(num_attention_heads=4, num_key_value_heads=2, head_dim=12,
                           tie_word_embeddings=False),
     "explicit head_dim 12 != hidden/heads (32/4 = 8): q_proj is [48,32], k/v [24,32], "
     "o_proj [32,48]; F32, untied"),
    ("bias", 105, dict(attention_bias=True, mlp_bias=True, intermediate_size=44),
     "attention_bias (q/k/v/o biases) and mlp_bias (gate/up/down biases), F32, tied"),
    ("bf16", 106, dict(torch_dtype="bfloat16", intermediate_size=48, tie_word_embeddings=False),
     "all weights stored as BF16, torch_dtype bfloat16, untied lm_head (BF16 too)"),
    ("f16", 107, dict(torch_dtype="float16", intermediate_size=48),
     "all weights stored as F16, torch_dtype float16, tied"),
    ("rope_llama3", 108, dict(num_attention_heads=2, num_key_value_heads=1, head_dim=16,
                              rope_theta=500000.0, max_position_embeddings=384,
                              rope_scaling={"rope_type": "llama3", "factor": 8.0,
                                            "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                            "original_max_position_embeddings": 48},
                              eos_token_id=[2, 3], n_tokens=56),
     "rope_scaling llama3 (factor 8, low 1, high 4, original window 48), theta 5e5, "
     "head_dim 16, 2 heads / 1 KV head, 56 tokens (past the original window), "
     "eos_token_id [2, 3]"),
    ("rope_linear", 109, dict(rope_scaling={"type": "linear", "factor": 4.0}, n_tokens=16),
     "rope_scaling linear (legacy key \"type\"), factor 4: angles = position/4 * inv_freq; "
     "16 tokens"),
]


def make_config(spec):
    hd = spec["head_dim"] or spec["hidden_size"] // spec["num_attention_heads"]
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": spec["hidden_size"],
        "intermediate_size": spec["intermediate_size"],
        "num_hidden_layers": spec["num_hidden_layers"],
        "num_attention_heads": spec["num_attention_heads"],
        "num_key_value_heads": spec["num_key_value_heads"],
        "head_dim": hd,
        "vocab_size": spec["vocab_size"],
        "max_position_embeddings": spec["max_position_embeddings"],
        "rms_norm_eps": spec["rms_norm_eps"],
        "rope_theta": spec["rope_theta"],
        "rope_scaling": spec["rope_scaling"],
        "hidden_act": "silu",
        "tie_word_embeddings": spec["tie_word_embeddings"],
        "attention_bias": spec["attention_bias"],
        "mlp_bias": spec["mlp_bias"],
        "bos_token_id": 1,
        "eos_token_id": spec["eos_token_id"],
        "torch_dtype": spec["torch_dtype"],
    }


def make_weights(cfg, rng):
    """HF-named float32 tensors with realistic, non-degenerate scales."""
    H, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    nh, nkv, hd = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]

    def normal(shape, std, mean=0.0):
        return torch.from_numpy((mean + std * rng.standard_normal(shape)).astype(np.float32))

    def norm_w():
        return normal((H,), 0.1, 1.0)  # 1 +- 0.1: non-trivial RMSNorm weights

    W = {"model.embed_tokens.weight": normal((V, H), 0.4)}
    for l in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % l
        W[p + "input_layernorm.weight"] = norm_w()
        for name, (out_f, in_f), std in [
            ("self_attn.q_proj", (nh * hd, H), 0.25),
            ("self_attn.k_proj", (nkv * hd, H), 0.25),
            ("self_attn.v_proj", (nkv * hd, H), 0.2),
            ("self_attn.o_proj", (H, nh * hd), 0.2),
        ]:
            W[p + name + ".weight"] = normal((out_f, in_f), std)
            if cfg["attention_bias"]:
                W[p + name + ".bias"] = normal((out_f,), 0.1)
        W[p + "post_attention_layernorm.weight"] = norm_w()
        for name, (out_f, in_f), std in [
            ("mlp.gate_proj", (I, H), 0.2),
            ("mlp.up_proj", (I, H), 0.2),
            ("mlp.down_proj", (H, I), 0.15),
        ]:
            W[p + name + ".weight"] = normal((out_f, in_f), std)
            if cfg["mlp_bias"]:
                W[p + name + ".bias"] = normal((out_f,), 0.1)
    W["model.norm.weight"] = norm_w()
    if not cfg["tie_word_embeddings"]:
        W["lm_head.weight"] = normal((V, H), 0.3)
    return W


def make_ids(n, vocab, rng):
    # ids after the leading BOS avoid 0..3 (unk, bos, eos 2 and 3)
    return [1] + [int(t) for t in rng.randint(4, vocab, size=n - 1)]


def generate_case(out_root, name, seed, overrides):
    spec = dict(BASE)
    spec.update(overrides)
    cfg = make_config(spec)
    rng = np.random.RandomState(seed)
    W32 = make_weights(cfg, rng)
    ids = make_ids(spec["n_tokens"], cfg["vocab_size"], rng)
    store_dtype = TORCH_DTYPES[cfg["torch_dtype"]]
    stored = {k: v.to(store_dtype) for k, v in W32.items()}

    d = os.path.join(out_root, name)
    os.makedirs(d, exist_ok=True)
    for stale in os.listdir(d):
        os.remove(os.path.join(d, stale))
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    ref.write_safetensors(os.path.join(d, "model.safetensors"), stored, {"format": "pt"})
    with open(os.path.join(d, "ids.txt"), "w") as f:
        f.write(" ".join(str(i) for i in ids) + "\n")

    # Reference from what was actually written (round trip through the file).
    loaded, _ = ref.read_safetensors(os.path.join(d, "model.safetensors"))
    for k in stored:
        assert torch.equal(loaded[k].view(-1).to(torch.float64),
                           stored[k].view(-1).to(torch.float64)), k
    logits = ref.forward(cfg, ref.to_f64(loaded), ids)
    ref.write_f32(os.path.join(d, "logits.f32"), logits)

    probs = torch.softmax(logits, -1)
    info = "%-12s %-8s T=%-3d V=%-3d logit std %.2f, range [%.2f, %.2f], max prob %.2f" % (
        name, cfg["torch_dtype"], len(ids), cfg["vocab_size"], logits.std().item(),
        logits.min().item(), logits.max().item(), probs.max().item())
    if ref.rope_type_of(cfg) == "llama3":
        info += "\n             llama3 bands per frequency: %s" % ", ".join(
            ref.llama3_bands(cfg, cfg["head_dim"]))
    return info


def main():
    out_root = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    os.makedirs(out_root, exist_ok=True)
    for name, seed, overrides, _desc in CASES:
        print(generate_case(out_root, name, seed, overrides))


if __name__ == "__main__":
    main()
