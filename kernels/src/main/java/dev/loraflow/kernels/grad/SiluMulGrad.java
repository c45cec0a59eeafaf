package dev.loraflow.kernels.grad;

import dev.loraflow.kernels.Reproducible;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Backward of y = silu(g)·u with silu(g) = g·σ(g). Accumulates
 * dg += dy·u·σ(g)·(1 + g·(1 − σ(g))) and du += dy·silu(g); σ is recomputed from g (nothing else is stored).
 */
public final class SiluMulGrad {
    private static final VectorSpecies<Float> F = Lanes.F;
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);

    private SiluMulGrad() {}

    public static void backward(float[] gate, int gOff, float[] up, int uOff, float[] dy, int dyOff,
                                float[] dGate, int dgOff, float[] dUp, int duOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector g = FloatVector.fromArray(F, gate, gOff + i);
            FloatVector d = FloatVector.fromArray(F, dy, dyOff + i);
            FloatVector sig = ONE.div(Reproducible.exp(g.neg()).add(1f));
            FloatVector silu = g.mul(sig);
            FloatVector dSilu = sig.mul(g.mul(sig.neg().add(1f)).add(1f));
            d.mul(FloatVector.fromArray(F, up, uOff + i)).fma(dSilu, FloatVector.fromArray(F, dGate, dgOff + i)).intoArray(dGate, dgOff + i);
            d.fma(silu, FloatVector.fromArray(F, dUp, duOff + i)).intoArray(dUp, duOff + i);
        }
        for (; i < n; i++) {
            float g = gate[gOff + i];
            float sig = 1f / (1f + (float) Math.exp(-g));
            float d = dy[dyOff + i];
            dGate[dgOff + i] += d * up[uOff + i] * sig * (1f + g * (1f - sig));
            dUp[duOff + i] += d * g * sig;
        }
    }

    public static void backwardReference(float[] gate, int gOff, float[] up, int uOff, float[] dy, int dyOff,
                                         float[] dGate, int dgOff, float[] dUp, int duOff, int n) {
        for (int i = 0; i < n; i++) {
            double g = gate[gOff + i];
            double sig = 1 / (1 + Math.exp(-g));
            dGate[dgOff + i] += (float) (dy[dyOff + i] * up[uOff + i] * sig * (1 + g * (1 - sig)));
            dUp[duOff + i] += (float) (dy[dyOff + i] * g * sig);
        }
    }
}
