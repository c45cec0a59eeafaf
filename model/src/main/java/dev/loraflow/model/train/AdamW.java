package dev.loraflow.model.train;

import java.util.List;

/**
 * AdamW as PyTorch's {@code torch.optim.AdamW}: decoupled weight decay {@code p -= lr·wd·p}, then the
 * bias-corrected Adam step {@code p -= lr · m̂ / (√v̂ + eps)}. Moments live in float arrays beside each parameter.
 */
public final class AdamW {
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final List<TrainableTensor> params;
    private final float[][] m;
    private final float[][] v;
    private int step;

    public AdamW(List<TrainableTensor> params, float beta1, float beta2, float eps) {
        this.params = List.copyOf(params);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.m = new float[params.size()][];
        this.v = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            m[i] = new float[params.get(i).values().length];
            v[i] = new float[params.get(i).values().length];
        }
    }

    /** One update with learning rate lr; weightDecay applies to the parameters that accept it. */
    public void step(float lr, float weightDecay) {
        step++;
        double correction1 = 1 - Math.pow(beta1, step);
        double correction2 = 1 - Math.pow(beta2, step);
        float stepSize = (float) (lr / correction1);
        float sqrtCorrection2 = (float) Math.sqrt(correction2);
        for (int i = 0; i < params.size(); i++) {
            TrainableTensor p = params.get(i);
            float[] x = p.values();
            float[] g = p.grad();
            float decay = p.decays() ? 1 - lr * weightDecay : 1f;
            float[] mi = m[i];
            float[] vi = v[i];
            for (int j = 0; j < x.length; j++) {
                mi[j] = beta1 * mi[j] + (1 - beta1) * g[j];
                vi[j] = beta2 * vi[j] + (1 - beta2) * g[j] * g[j];
                float denominator = (float) Math.sqrt(vi[j]) / sqrtCorrection2 + eps;
                x[j] = x[j] * decay - stepSize * mi[j] / denominator;
            }
        }
    }

    public int steps() {
        return step;
    }
}
