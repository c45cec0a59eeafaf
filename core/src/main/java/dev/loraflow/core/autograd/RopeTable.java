package dev.loraflow.core.autograd;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.kernels.grad.RopeGrad;

/**
 * cos and sin of the rotary angles, [positions][headDim/2] each, as the model computes them (rope scaling
 * included), plus the negated sin the backward rotates with.
 */
public final class RopeTable {
    private final float[] cos;
    private final float[] sin;
    private final float[] negSin;
    private final int half;

    public RopeTable(float[] cos, float[] sin, int headDim) {
        if (headDim % 2 != 0 || cos.length != sin.length || cos.length % (headDim / 2) != 0) {
            throw new LoraflowException("RoPE table: cos " + cos.length + " and sin " + sin.length
                    + " values must both be [positions][" + headDim / 2 + "] for head size " + headDim);
        }
        this.cos = cos;
        this.sin = sin;
        this.negSin = RopeGrad.negatedSin(sin);
        this.half = headDim / 2;
    }

    public int positions() {
        return cos.length / half;
    }

    float[] cos() {
        return cos;
    }

    float[] sin() {
        return sin;
    }

    float[] negSin() {
        return negSin;
    }

    /** Offset of position p's angles. */
    int offset(int position) {
        return position * half;
    }
}
