package dev.loraflow.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Small vector kernels over float[] (SIMD); {@link VectorMathReference} holds their scalar twins.
 *
 * <p>No vector is passed to or returned from another method of ours here. C2 keeps vectors in registers only
 * when every method they cross is inlined, and in a large compilation (these kernels are inlined into the attention
 * and layer loops) it stops inlining ordinary methods past a node budget: a vector argument then becomes a heap
 * object per call. Only the Vector API's own methods (always inlined) see vectors; lane sums and e^x are written
 * out here, with the same steps as {@link Reproducible}, so results match it bit for bit.
 */
public final class VectorMath {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final float LOG2E = Reproducible.LOG2E; // exp's constants are Reproducible.exp's
    private static final float LN2_HI = Reproducible.LN2_HI;
    private static final float LN2_LO = Reproducible.LN2_LO;
    private static final float ROUNDER = Reproducible.ROUNDER;
    private static final int ROUNDER_BITS = Reproducible.ROUNDER_BITS;

    private VectorMath() {}

    /** Bit width of the float vectors the kernels use (preferred, or forced by {@code -Dloraflow.vectorBits}). */
    public static int vectorBits() {
        return Simd.F.vectorBitSize();
    }

    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        // Two accumulators hide the FMA latency for the common lengths (64..8192).
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        int step = 2 * F.length();
        for (int bound = n - step + 1; i < bound; i += step) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + F.length()).fma(FloatVector.fromArray(F, b, bOff + i + F.length()), acc1);
        }
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        FloatVector acc = acc0.add(acc1);
        float sum = 0f;
        for (int lane = 0; lane < F.length(); lane++) { // Reproducible.sum: lane order
            sum += acc.lane(lane);
        }
        for (; i < n; i++) {
            sum = Math.fma(a[aOff + i], b[bOff + i], sum);
        }
        return sum;
    }

    /** Sum of squares in float vector lanes, then out = x / sqrt(mean + eps) * weight. */
    public static void rmsNorm(float[] x, int xOff, float[] weight, float eps, float[] out, int outOff, int n) {
        float ss = dot(x, xOff, x, xOff, n);
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, xOff + i).mul(inv).mul(FloatVector.fromArray(F, weight, i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = x[xOff + i] * inv * weight[i];
        }
    }

    /** Stable softmax: subtract the maximum before exponentiating so no term overflows. */
    public static void softmaxInPlace(float[] x, int off, int n) {
        if (n == 0) {
            return;
        }
        float max = max(x, off, n);
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        int bound = F.loopBound(n);
        for (; i < bound; i += F.length()) {
            exp(x, off + i, 1f, max, x, off + i);
            acc = FloatVector.fromArray(F, x, off + i).add(acc); // fresh receiver: see max
        }
        float sum = 0f;
        for (int lane = 0; lane < F.length(); lane++) { // Reproducible.sum: lane order
            sum += acc.lane(lane);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        scaleInPlace(x, off, n, 1f / sum);
    }

    /**
     * dst[j .. j + lanes) = e^(sign · src[i ..] - shift) with {@link Reproducible#exp(FloatVector)}'s steps (so the
     * same bits), loaded and stored here so that no vector crosses a call (see the class comment).
     */
    static void exp(float[] src, int i, float sign, float shift, float[] dst, int j) {
        FloatVector x = FloatVector.fromArray(F, src, i).mul(sign).sub(shift);
        FloatVector clamped = x.max(-87.0f).min(88.0f);
        FloatVector shifted = clamped.fma(LOG2E, ROUNDER);
        FloatVector n = shifted.sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), clamped);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(1f / 5040f, 1f / 720f);
        p = p.fma(r, FloatVector.broadcast(F, 1f / 120f));
        p = p.fma(r, FloatVector.broadcast(F, 1f / 24f));
        p = p.fma(r, FloatVector.broadcast(F, 1f / 6f));
        p = p.fma(r, FloatVector.broadcast(F, 0.5f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        IntVector exponent = ((IntVector) shifted.reinterpretAsInts()).sub(ROUNDER_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
        p.mul(exponent.reinterpretAsFloats()).blend(0f, x.lt(-87.0f)).intoArray(dst, j);
    }

    static float max(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        int i = 0;
        int bound = F.loopBound(n);
        if (bound > 0) {
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; i < bound; i += F.length()) {
                // The receiver is the fresh load, not the loop-carried m: a call on m is virtual until C2 knows m's exact
                // class, which here needs a type profile; compiled without one (it happens) the call stays virtual and
                // boxes two vectors per step. The freshly loaded vector's class is exact once the load is inlined.
                m = FloatVector.fromArray(F, x, off + i).max(m);
            }
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        return max;
    }

    /**
     * True if no element of x[off, off + n) is NaN or infinite. x·0 is 0 for a finite x and NaN for a NaN or an
     * infinity, and a sum holding a NaN is NaN, so one multiply-add per element and no branch in the loop.
     */
    public static boolean allFinite(float[] x, int off, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            acc = FloatVector.fromArray(F, x, off + i).mul(0f).add(acc); // fresh receiver: see max
        }
        float sum = FloatVector.zero(F).add(acc).reduceLanes(VectorOperators.ADD); // any order: only NaN-ness matters
        for (; i < n; i++) {
            sum += x[off + i] * 0f;
        }
        return !Float.isNaN(sum);
    }

    /** out = silu(gate) * up with silu(g) = g / (1 + exp(-g)). */
    public static void siluMul(float[] gate, int gOff, float[] up, int uOff, float[] out, int oOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector g = FloatVector.fromArray(F, gate, gOff + i); // loaded before out (which may be gate) is written
            exp(gate, gOff + i, -1f, 0f, out, oOff + i);
            FloatVector s = g.div(FloatVector.fromArray(F, out, oOff + i).add(1f));
            s.mul(FloatVector.fromArray(F, up, uOff + i)).intoArray(out, oOff + i);
        }
        for (; i < n; i++) {
            float g = gate[gOff + i];
            out[oOff + i] = g / (1f + (float) Math.exp(-g)) * up[uOff + i];
        }
    }

    /** y += x. */
    public static void addInPlace(float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    /** y *= s. */
    public static void scaleInPlace(float[] y, int off, int n, float s) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, y, off + i).mul(s).intoArray(y, off + i);
        }
        for (; i < n; i++) {
            y[off + i] *= s;
        }
    }
}
