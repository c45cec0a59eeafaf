"""Independent float64 reference for the Llama forward pass (plus LoRA), used to
make the Java test fixtures.

Debian ships neither HuggingFace transformers nor safetensors, so this is a
from-scratch torch implementation that follows transformers'
``modeling_llama.LlamaForCausalLM`` (and ``modeling_rope_utils``) operation by
operation, computed entirely in float64:

* RMSNorm: ``w * (x / sqrt(mean(x^2) + eps))`` (eps inside the sqrt, weight
  applied after normalising).
* RoPE, "rotate_half" convention: element j of a head is paired with element
  j + head_dim/2; ``inv_freq[i] = 1 / theta^(2i/head_dim)``; rope_scaling types
  ``linear`` (inv_freq / factor) and ``llama3`` (HF _compute_llama3_parameters).
* causal grouped-query attention: query head h reads KV head
  ``h // (num_attention_heads / num_key_value_heads)``; scale 1/sqrt(head_dim).
* SwiGLU MLP: ``down(silu(gate(x)) * up(x))``.
* optional q/k/v/o biases (attention_bias) and gate/up/down biases (mlp_bias).
* final norm, lm_head (tied to embed_tokens when tie_word_embeddings).

LoRA (PEFT semantics): for every adapted linear ``y = W x + b + sum_k w_k *
s_k * B_k (A_k x)`` where ``s_k = alpha/r`` (or ``alpha/sqrt(r)`` with
use_rslora) -- always a sum of per-adapter outputs.

Only needs Debian's python3-torch and python3-numpy (run with /usr/bin/python3).
"""

import json
import math
import re
import struct

import numpy as np
import torch

F64 = torch.float64

# ---------------------------------------------------------------------------
# safetensors (minimal reader / writer; python3-safetensors is not in Debian)
# ---------------------------------------------------------------------------

_ST_DTYPES = {
    "F32": (torch.float32, 4),
    "F16": (torch.float16, 2),
    "BF16": (torch.bfloat16, 2),
    "F64": (torch.float64, 8),
}
_TORCH_TO_ST = {v[0]: k for k, v in _ST_DTYPES.items()}


def write_safetensors(path, tensors, metadata=None):
    """Write ``tensors`` (name -> torch tensor, any of F32/F16/BF16/F64) in the
    safetensors format: u64 LE header length N, N bytes of JSON header (padded
    with spaces so the data starts 8-byte aligned), then the raw row-major
    little-endian data in the order given."""
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        st = _TORCH_TO_ST[t.dtype]
        if t.dtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": st, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = dict(metadata or {"format": "pt"})
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * ((-len(hb)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Return (name -> torch tensor in its stored dtype, metadata dict)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, info in header.items():
        dt, size = _ST_DTYPES[info["dtype"]]
        b, e = info["data_offsets"]
        raw = data[base + b: base + e]
        if dt == torch.bfloat16:
            arr = np.frombuffer(raw, dtype="<i2").copy()
            t = torch.from_numpy(arr).view(torch.bfloat16)
        else:
            npdt = {torch.float32: "<f4", torch.float16: "<f2", torch.float64: "<f8"}[dt]
            t = torch.from_numpy(np.frombuffer(raw, dtype=npdt).copy())
        out[name] = t.reshape(info["shape"])
    return out, meta


def to_f64(tensors):
    return {k: v.to(F64) for k, v in tensors.items()}


# ---------------------------------------------------------------------------
# RoPE frequencies (transformers.modeling_rope_utils)
# ---------------------------------------------------------------------------

def rope_type_of(cfg):
    rs = cfg.get("rope_scaling")
    if not rs:
        return "default"
    return rs.get("rope_type", rs.get("type", "default"))


def rope_inv_freq(cfg, head_dim):
    theta = float(cfg.get("rope_theta", 10000.0))
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=F64) / head_dim))
    kind = rope_type_of(cfg)
    rs = cfg.get("rope_scaling") or {}
    if kind == "default":
        return inv_freq
    if kind == "linear":
        # HF: inv_freq /= factor  (== positions / factor)
        return inv_freq / float(rs["factor"])
    if kind == "llama3":
        factor = float(rs["factor"])
        low_ff = float(rs["low_freq_factor"])
        high_ff = float(rs["high_freq_factor"])
        old_ctx = float(rs["original_max_position_embeddings"])
        low_freq_wavelen = old_ctx / low_ff
        high_freq_wavelen = old_ctx / high_ff
        wavelen = 2 * math.pi / inv_freq
        inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
        smooth = (old_ctx / wavelen - low_ff) / (high_ff - low_ff)
        smoothed = (1 - smooth) * inv_freq_llama / factor + smooth * inv_freq_llama
        is_medium = (~(wavelen < high_freq_wavelen)) & (~(wavelen > low_freq_wavelen))
        return torch.where(is_medium, smoothed, inv_freq_llama)
    raise ValueError("unsupported rope_scaling type: %r" % kind)


def llama3_bands(cfg, head_dim):
    """For documentation: which band each frequency index falls into."""
    rs = cfg["rope_scaling"]
    theta = float(cfg["rope_theta"])
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=F64) / head_dim))
    wl = 2 * math.pi / inv
    old = rs["original_max_position_embeddings"]
    lo = old / rs["low_freq_factor"]
    hi = old / rs["high_freq_factor"]
    return ["high(unchanged)" if w < hi else "low(/factor)" if w > lo else "medium(smoothed)"
            for w in wl.tolist()]


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rms_norm(x, w, eps):
    return w * (x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + eps))


# ---------------------------------------------------------------------------
# Forward
# ---------------------------------------------------------------------------

def head_dim_of(cfg):
    hd = cfg.get("head_dim")
    return int(hd) if hd else cfg["hidden_size"] // cfg["num_attention_heads"]


def forward(cfg, W, ids, lora=None):
    """Logits [len(ids), vocab] (float64) of a causal forward over ``ids``;
    row t depends only on ids[0..t].

    W: HF tensor name -> float64 tensor.
    lora: optional dict module name (e.g. "model.layers.0.self_attn.q_proj") ->
          list of (weight, A [r,in], B [out,r]) with weight already including the
          LoRA scale (and any fusion weight); the output gains weight*B(A x).
    """
    lora = lora or {}
    T = len(ids)
    H = cfg["hidden_size"]
    nh = cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads") or nh
    hd = head_dim_of(cfg)
    eps = float(cfg["rms_norm_eps"])
    assert nh % nkv == 0
    group = nh // nkv

    def linear(name, x):
        y = x @ W[name + ".weight"].T
        b = W.get(name + ".bias")
        if b is not None:
            y = y + b
        for (wt, A, B) in lora.get(name, ()):
            y = y + wt * ((x @ A.T) @ B.T)
        return y

    x = W["model.embed_tokens.weight"][torch.tensor(ids, dtype=torch.long)]
    assert x.shape == (T, H)
    inv_freq = rope_inv_freq(cfg, hd)
    freqs = torch.outer(torch.arange(T, dtype=F64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)

    for l in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % l
        h = rms_norm(x, W[p + "input_layernorm.weight"], eps)
        q = linear(p + "self_attn.q_proj", h).view(T, nh, hd).transpose(0, 1)
        k = linear(p + "self_attn.k_proj", h).view(T, nkv, hd).transpose(0, 1)
        v = linear(p + "self_attn.v_proj", h).view(T, nkv, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        # query head hq uses kv head hq // group (HF repeat_kv)
        k = k.repeat_interleave(group, dim=0)
        v = v.repeat_interleave(group, dim=0)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        scores = scores.masked_fill(mask, float("-inf"))
        probs = torch.softmax(scores, dim=-1)
        o = (probs @ v).transpose(0, 1).reshape(T, nh * hd)
        x = x + linear(p + "self_attn.o_proj", o)
        h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
        g = linear(p + "mlp.gate_proj", h)
        u = linear(p + "mlp.up_proj", h)
        x = x + linear(p + "mlp.down_proj", torch.nn.functional.silu(g) * u)

    x = rms_norm(x, W["model.norm.weight"], eps)
    if cfg.get("tie_word_embeddings", False):
        lm = W["model.embed_tokens.weight"]
    else:
        lm = W["lm_head.weight"]
    return x @ lm.T


def write_f32(path, arr):
    a = arr.detach().cpu().to(torch.float32).numpy().astype("<f4")
    with open(path, "wb") as f:
        f.write(a.tobytes())


def read_f32(path, shape):
    return torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(shape).copy())


# ---------------------------------------------------------------------------
# PEFT helpers
# ---------------------------------------------------------------------------

def peft_pattern_key(pattern_keys, module_name):
    """PEFT's ``get_pattern_key``: the first key (a regex) such that
    ``re.match(r"(.*\\.)?(KEY)$", module_name)`` matches, i.e. the key equals the
    whole module name or a dot-separated suffix of it; else the module name."""
    for key in pattern_keys:
        if re.match(r"(.*\.)?(%s)$" % key, module_name):
            return key
    return module_name


def peft_r_alpha(adapter_cfg, module_name):
    rp = adapter_cfg.get("rank_pattern") or {}
    ap = adapter_cfg.get("alpha_pattern") or {}
    r = rp.get(peft_pattern_key(rp.keys(), module_name), adapter_cfg["r"])
    alpha = ap.get(peft_pattern_key(ap.keys(), module_name), adapter_cfg["lora_alpha"])
    return r, alpha


def peft_scale(adapter_cfg, module_name):
    r, alpha = peft_r_alpha(adapter_cfg, module_name)
    if adapter_cfg.get("use_rslora", False):
        return alpha / math.sqrt(r)
    return alpha / r
