package dev.loraflow.kernels.grad;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** y += a * x over n floats, the accumulation step most backward kernels share. */
final class Axpy {
    private static final VectorSpecies<Float> F = Lanes.F;

    private Axpy() {}

    static void add(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, xOff + i).fma(av, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(a, x[xOff + i], y[yOff + i]);
        }
    }
}
