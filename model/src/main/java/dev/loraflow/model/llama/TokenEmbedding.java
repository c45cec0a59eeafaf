package dev.loraflow.model.llama;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.Tensor;

/** Looks up rows of the embedding matrix [vocab, hidden] into F32 activations. */
final class TokenEmbedding {
    private TokenEmbedding() {}

    static void lookup(Tensor embed, int token, float[] out, int outOff) {
        int vocab = (int) embed.dim(0);
        int hidden = (int) embed.dim(1);
        if (token < 0 || token >= vocab) {
            throw new LoraflowException("token id " + token + " is outside the vocabulary [0, " + vocab + ")");
        }
        long base = (long) token * hidden;
        // Scalar on purpose: the one full-suite run with Tensor.copyFloats (vector kernels) here allocated 384 bytes
        // per decoded token (unproven as the cause: that test is flaky, see DecodeAllocationTest); one row per token
        // is too little work to matter.
        for (int i = 0; i < hidden; i++) {
            out[outOff + i] = embed.getFloat(base + i);
        }
    }
}
