package dev.loraflow.model.train;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.autograd.Parameter;
import java.util.List;

/** Global-norm gradient clipping (torch.nn.utils.clip_grad_norm_), refusing non-finite gradients. */
public final class GradientClipping {
    private GradientClipping() {}

    /** Scales every gradient so the global L2 norm is at most maxNorm (0 = no clipping); returns the norm before. */
    public static double clip(List<Parameter> params, double maxNorm) {
        double sum = 0;
        for (Parameter p : params) {
            if (p.grad() != null) {
                for (float g : p.grad()) {
                    sum += (double) g * g;
                }
            }
        }
        double norm = Math.sqrt(sum);
        if (!Double.isFinite(norm)) {
            String culprit = params.stream().filter(GradientClipping::hasNonFinite).map(Parameter::name).findFirst().orElse("?");
            throw new LoraflowException("the gradient became NaN or infinite (first in '" + culprit
                    + "'); training stopped — lower --lr, or check the data and adapters");
        }
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (Parameter p : params) {
                float[] g = p.grad();
                if (g != null) {
                    for (int i = 0; i < g.length; i++) {
                        g[i] *= scale;
                    }
                }
            }
        }
        return norm;
    }

    private static boolean hasNonFinite(Parameter p) {
        if (p.grad() == null) {
            return false;
        }
        for (float g : p.grad()) {
            if (!Float.isFinite(g)) {
                return true;
            }
        }
        return false;
    }
}
