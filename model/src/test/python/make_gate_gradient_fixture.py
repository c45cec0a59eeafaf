"""Independent float64 reference for the LoRA-Flow gate gradient: loss and
d loss / d (Wg_l, b_l) for a fixed random gate on ``forward/gqa2`` with the
adapters ``lora/two_adapters/{a1,a2}``, computed with torch autograd.

Run from the repository root, after make_forward_fixtures.py and
make_lora_fixtures.py (Debian's torch/numpy: apt-get install -y python3-torch
python3-numpy):

    /usr/bin/python3 model/src/test/python/make_gate_gradient_fixture.py [FIXTURES_DIR]

FIXTURES_DIR defaults to model/src/test/resources/fixtures; output goes to
FIXTURES_DIR/gate_gradient/:
    gate.safetensors  the gate in the project's gate format (formats.md "Fusion
                      gate file"): F32 model.layers.{l}.fusion_gate.weight [2, 32]
                      and model.layers.{l}.fusion_gate.bias [2]; __metadata__
                      format "loraflow-gate", version "1", adapters
                      ["lang","task"] (a1, a2 in that order), temperature "1.0",
                      hidden_size "32", num_layers "2"
    batch.json        the two sequences (unpadded ids, loss masks, prompt
                      lengths), the padded length, pad id and padded ids
    expected.json     the float64 loss and, per layer, the gradients of the
                      weight [2][32] and bias [2]

The gate (loraflow.md): in layer l, for each token, from the layer's residual
input x (before input_layernorm; the embedding for layer 0)
    w_l = softmax(Wg_l x / tau) + b_l         tau = 1
and every adapted projection of layer l (q, k, v, o, gate, up, down) is
    y = W z + sum_i w_l[i] * s_i * B_i (A_i z)      s_i = alpha_i / r_i
No dropout. The gate values are drawn as float32 (numpy RandomState(301),
N(0, 0.2^2)) and the reference uses exactly those float32 values, widened.

Batch (TrainingBatch.of semantics): sequence 0 = all 12 ids of
forward/gqa2/ids.txt, prompt length 4 (loss_mask[t] = t >= 4); sequence 1 = its
first 9 ids, prompt length 3 (loss_mask[t] = t >= 3), right-padded with id 0 to
length 12. Row (b, t) predicts ids[b][t+1] and counts when t + 1 < len(b) and
loss_mask[b][t+1]; the loss is the mean cross-entropy over the 8 + 6 = 14
counted targets. Padding lies after each sequence's real tokens, so causal
attention keeps it out of every counted row.

Sanity check (asserted): with the gate replaced by the static weights
(0.3, 0.9), this script's gated forward reproduces
lora/two_adapters/logits_w_0.3_0.9.f32 (and llama_reference.forward), so the
fusion path here is the same function as the one the LoRA fixtures pin down.
"""

import json
import math
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import llama_reference as ref  # noqa: E402

FIXTURES = os.path.normpath(os.path.join(HERE, "..", "resources", "fixtures"))
ADAPTERS = [("lang", "a1"), ("task", "a2")]
PEFT_PREFIX = "base_model.model."
SEED = 301
STD = 0.2
TAU = 1.0
PAD_ID = 0
SHORT_LEN = 9
PROMPT_LENGTHS = [4, 3]


def load_adapter(d):
    """{module name: (scale, A [r, in] f64, B [out, r] f64)} from a PEFT directory."""
    with open(os.path.join(d, "adapter_config.json")) as f:
        acfg = json.load(f)
    tensors, _ = ref.read_safetensors(os.path.join(d, "adapter_model.safetensors"))
    out = {}
    for key, a in tensors.items():
        if not key.endswith(".lora_A.weight"):
            continue
        module = key[len(PEFT_PREFIX):-len(".lora_A.weight")]
        b = tensors[PEFT_PREFIX + module + ".lora_B.weight"]
        out[module] = (ref.peft_scale(acfg, module), a.to(ref.F64), b.to(ref.F64))
    return out


def gated_forward(cfg, W, ids, adapters, gate_weights):
    """Logits [T, vocab] (float64) with per-token fusion weights.

    adapters: list of {module: (scale, A, B)} in gate order.
    gate_weights(l, x): [T, k] weights of layer l from its residual input x [T, H].
    """
    T = len(ids)
    nh = cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads") or nh
    hd = ref.head_dim_of(cfg)
    eps = float(cfg["rms_norm_eps"])
    group = nh // nkv

    def linear(name, z, w):
        y = z @ W[name + ".weight"].T
        if name + ".bias" in W:
            y = y + W[name + ".bias"]
        for i, mods in enumerate(adapters):
            if name in mods:
                s, A, B = mods[name]
                y = y + w[:, i:i + 1] * (s * ((z @ A.T) @ B.T))
        return y

    x = W["model.embed_tokens.weight"][torch.tensor(ids, dtype=torch.long)]
    inv_freq = ref.rope_inv_freq(cfg, hd)
    freqs = torch.outer(torch.arange(T, dtype=ref.F64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    for l in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % l
        w = gate_weights(l, x)  # residual input, before input_layernorm
        h = ref.rms_norm(x, W[p + "input_layernorm.weight"], eps)
        q = linear(p + "self_attn.q_proj", h, w).view(T, nh, hd).transpose(0, 1)
        k = linear(p + "self_attn.k_proj", h, w).view(T, nkv, hd).transpose(0, 1)
        v = linear(p + "self_attn.v_proj", h, w).view(T, nkv, hd).transpose(0, 1)
        q = q * cos + ref.rotate_half(q) * sin
        k = k * cos + ref.rotate_half(k) * sin
        k = k.repeat_interleave(group, dim=0)
        v = v.repeat_interleave(group, dim=0)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        probs = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=-1)
        o = (probs @ v).transpose(0, 1).reshape(T, nh * hd)
        x = x + linear(p + "self_attn.o_proj", o, w)
        h = ref.rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
        g = linear(p + "mlp.gate_proj", h, w)
        u = linear(p + "mlp.up_proj", h, w)
        x = x + linear(p + "mlp.down_proj", torch.nn.functional.silu(g) * u, w)
    x = ref.rms_norm(x, W["model.norm.weight"], eps)
    lm = W["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else W["lm_head.weight"]
    return x @ lm.T


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else FIXTURES
    base_dir = os.path.join(root, "forward", "gqa2")
    two = os.path.join(root, "lora", "two_adapters")
    out_dir = os.path.join(root, "gate_gradient")
    with open(os.path.join(base_dir, "config.json")) as f:
        cfg = json.load(f)
    W = ref.to_f64(ref.read_safetensors(os.path.join(base_dir, "model.safetensors"))[0])
    with open(os.path.join(base_dir, "ids.txt")) as f:
        ids = [int(t) for t in f.read().split()]
    adapters = [load_adapter(os.path.join(two, sub)) for _, sub in ADAPTERS]
    L, H, V = cfg["num_hidden_layers"], cfg["hidden_size"], cfg["vocab_size"]
    k = len(adapters)

    # 1. Sanity: static weights 0.3 / 0.9 reproduce the LoRA fixture's fused logits.
    static = torch.tensor([0.3, 0.9], dtype=ref.F64)
    with torch.no_grad():
        fused = gated_forward(cfg, W, ids, adapters, lambda l, x: static.expand(x.shape[0], k))
        stored = ref.read_f32(os.path.join(two, "logits_w_0.3_0.9.f32"), (len(ids), V)).to(ref.F64)
        lm = {}
        for wt, mods in zip([0.3, 0.9], adapters):
            for name, (s, A, B) in mods.items():
                lm.setdefault(name, []).append((wt * s, A, B))
        direct = ref.forward(cfg, W, ids, lm)
    d_file = (fused - stored).abs().max().item()
    d_ref = (fused - direct).abs().max().item()
    print("static 0.3/0.9: max |gated - logits_w_0.3_0.9.f32| = %.3g, max |gated - ref.forward| = %.3g"
          % (d_file, d_ref))
    assert d_file < 1e-5 and d_ref < 1e-10, (d_file, d_ref)

    # 2. The gate: float32 values, used widened to float64.
    rng = np.random.RandomState(SEED)
    gate_w32, gate_b32 = [], []
    for _ in range(L):
        gate_w32.append(torch.from_numpy((STD * rng.standard_normal((k, H))).astype(np.float32)))
        gate_b32.append(torch.from_numpy((STD * rng.standard_normal(k)).astype(np.float32)))
    Wg = [w.to(ref.F64).requires_grad_(True) for w in gate_w32]
    bg = [b.to(ref.F64).requires_grad_(True) for b in gate_b32]
    seen = {}

    def gate(l, x):
        w = torch.softmax((x @ Wg[l].T) / TAU, dim=-1) + bg[l]
        seen.setdefault(l, []).append(torch.softmax((x @ Wg[l].T) / TAU, dim=-1).detach())
        return w

    # 3. The batch and its loss.
    seqs = [list(ids), list(ids[:SHORT_LEN])]
    masks = [[t >= p for t in range(len(s))] for s, p in zip(seqs, PROMPT_LENGTHS)]
    T = max(len(s) for s in seqs)
    padded = [s + [PAD_ID] * (T - len(s)) for s in seqs]
    terms = []
    for s, m, pid in zip(seqs, masks, padded):
        logits = gated_forward(cfg, W, pid, adapters, gate)
        logp = torch.log_softmax(logits, dim=-1)
        for t in range(T - 1):
            if t + 1 < len(s) and m[t + 1]:
                terms.append(-logp[t, s[t + 1]])
    loss = torch.stack(terms).mean()
    loss.backward()
    for l in range(L):
        p = torch.cat(seen[l])
        print("layer %d: softmax part min/max over tokens = %.3f / %.3f" % (l, p.min().item(), p.max().item()))
    print("loss = %.10f over %d counted targets" % (loss.item(), len(terms)))
    for l in range(L):
        print("layer %d: max |dW| = %.4g, |db| = %s" % (l, Wg[l].grad.abs().max().item(),
                                                          [round(v, 6) for v in bg[l].grad.tolist()]))

    # 4. Write.
    os.makedirs(out_dir, exist_ok=True)
    tensors = {}
    for l in range(L):
        tensors["model.layers.%d.fusion_gate.weight" % l] = gate_w32[l]
        tensors["model.layers.%d.fusion_gate.bias" % l] = gate_b32[l]
    meta = {"format": "loraflow-gate", "version": "1",
            "adapters": json.dumps([n for n, _ in ADAPTERS]), "temperature": "1.0",
            "hidden_size": str(H), "num_layers": str(L)}
    ref.write_safetensors(os.path.join(out_dir, "gate.safetensors"), tensors, meta)
    back, back_meta = ref.read_safetensors(os.path.join(out_dir, "gate.safetensors"))
    assert back_meta == meta and all(torch.equal(back[n], t) for n, t in tensors.items())

    batch = {
        "base": "forward/gqa2",
        "adapters": [{"name": n, "dir": "lora/two_adapters/" + sub} for n, sub in ADAPTERS],
        "pad_id": PAD_ID,
        "seq_len": T,
        "sequences": [{"ids": s, "prompt_length": p, "loss_mask": m}
                      for s, p, m in zip(seqs, PROMPT_LENGTHS, masks)],
        "padded_ids": padded,
        "counted_targets": len(terms),
        "loss": "mean over b, t < seq_len - 1 with t + 1 < len(ids_b) and loss_mask_b[t + 1] "
                "of -log softmax(logits_b[t])[ids_b[t + 1]]",
    }
    with open(os.path.join(out_dir, "batch.json"), "w") as f:
        json.dump(batch, f, indent=1)
        f.write("\n")
    expected = {
        "precision": "float64 (torch autograd), gate values widened from the stored float32",
        "temperature": TAU,
        "loss": loss.item(),
        "layers": [{"weight_grad": Wg[l].grad.tolist(), "bias_grad": bg[l].grad.tolist()}
                   for l in range(L)],
    }
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print("wrote", out_dir)


if __name__ == "__main__":
    main()
