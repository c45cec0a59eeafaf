package dev.loraflow.model.train;

import dev.loraflow.core.LoraflowException;
import java.util.List;

/** Global-norm gradient clipping (torch.nn.utils.clip_grad_norm_), refusing non-finite gradients. */
public final class GradientClipping {
    private GradientClipping() {}

    /** Scales every gradient so the global L2 norm is at most maxNorm; returns the norm before clipping. */
    public static double clip(List<TrainableTensor> params, double maxNorm) {
        double sum = 0;
        for (TrainableTensor p : params) {
            for (float g : p.grad()) {
                sum += (double) g * g;
            }
        }
        double norm = Math.sqrt(sum);
        if (!Double.isFinite(norm)) {
            String culprit = params.stream().filter(GradientClipping::hasNonFinite).map(TrainableTensor::name).findFirst().orElse("?");
            throw new LoraflowException("the gradient became NaN or infinite (first in '" + culprit
                    + "'); training stopped — lower --lr, or check the data and adapters");
        }
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (TrainableTensor p : params) {
                float[] g = p.grad();
                for (int i = 0; i < g.length; i++) {
                    g[i] *= scale;
                }
            }
        }
        return norm;
    }

    private static boolean hasNonFinite(TrainableTensor p) {
        for (float g : p.grad()) {
            if (!Float.isFinite(g)) {
                return true;
            }
        }
        return false;
    }
}
