package dev.loraflow.core.autograd;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.kernels.grad.AdapterDelta;
import dev.loraflow.kernels.grad.BlockScale;

/**
 * The k LoRA adapters of one projection, stacked: a [R][in] holds each A_i in rows off_i..off_i+r_i, b [out][R]
 * each B_i in those columns, R = Σ r_i; scales[i] = alpha_i / r_i. Constants when the adapters are frozen
 * (LoRA-Flow's gate training), {@link Parameter}s when they train.
 */
public record LoraStack(Variable a, Variable b, int[] ranks, float[] scales) {
    public LoraStack {
        int total = BlockScale.totalRank(ranks);
        if (ranks.length != scales.length || a.rows() != total || b.cols() != total) {
            throw new LoraflowException("LoRA stack: ranks " + java.util.Arrays.toString(ranks) + " (total " + total + "), "
                    + scales.length + " scales, A [" + a.rows() + "][" + a.cols() + "], B [" + b.rows() + "][" + b.cols()
                    + "]: A needs one row and B one column per rank unit");
        }
        ranks = ranks.clone();
        scales = scales.clone();
    }

    public int adapters() {
        return ranks.length;
    }

    AdapterDelta.Stack kernelStack() {
        return new AdapterDelta.Stack(a.data(), b.data(), ranks, scales, a.cols(), b.rows());
    }
}
