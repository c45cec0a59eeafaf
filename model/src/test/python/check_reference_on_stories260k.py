"""Sanity check of the float64 reference forward (llama_reference.py) on a real
model: stories260K (F32) must reproduce the shared reference logits
ref_logits_once_upon_n64.f32 ([64][512] float32) within 1e-4 when fed the ids of
ref_ids_once_upon_n64.txt.

Run (Debian's torch/numpy: apt-get install -y python3-torch python3-numpy):

    /usr/bin/python3 model/src/test/python/check_reference_on_stories260k.py \
        [/work/shared/models/stories260K]

The model directory defaults to $LORAFLOW_STORIES260K or
/work/shared/models/stories260K. Nothing is copied into the repository.
Exit status 0 when within tolerance, 1 otherwise.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import llama_reference as ref  # noqa: E402

TOL = 1e-4


def main():
    model_dir = (sys.argv[1] if len(sys.argv) > 1 else
                 os.environ.get("LORAFLOW_STORIES260K", "/work/shared/models/stories260K"))
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    tensors, _ = ref.read_safetensors(os.path.join(model_dir, "model.safetensors"))
    W = ref.to_f64(tensors)
    with open(os.path.join(model_dir, "reference", "ref_ids_once_upon_n64.txt")) as f:
        ids = [int(t) for t in f.read().split()]
    expected = ref.read_f32(os.path.join(model_dir, "reference", "ref_logits_once_upon_n64.f32"),
                            (len(ids), cfg["vocab_size"])).to(ref.F64)
    logits = ref.forward(cfg, W, ids)
    diff = (logits - expected).abs()
    worst = diff.max().item()
    t, v = divmod(int(diff.argmax()), cfg["vocab_size"])
    print("stories260K: %d tokens, vocab %d, max |ref - expected| = %.3e at [%d][%d]"
          " (mean %.3e); argmax agreement %d/%d"
          % (len(ids), cfg["vocab_size"], worst, t, v, diff.mean().item(),
             int((logits.argmax(-1) == expected.argmax(-1)).sum()), len(ids)))
    if worst <= TOL:
        print("OK (tolerance %.0e)" % TOL)
        return 0
    print("FAIL (tolerance %.0e)" % TOL)
    return 1


if __name__ == "__main__":
    sys.exit(main())
