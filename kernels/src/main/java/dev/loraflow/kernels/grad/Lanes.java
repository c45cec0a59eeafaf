package dev.loraflow.kernels.grad;

import dev.loraflow.kernels.VectorMath;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes of the backward kernels: the same float width as the forward kernels (so
 * {@code -Dloraflow.vectorBits} governs both), and int and short species with as many lanes, for widening BF16.
 */
final class Lanes {
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(VectorMath.vectorBits()));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

    private Lanes() {}

    static ShortVector shorts(short[] a, int off) {
        return ShortVector.fromArray(S, a, off);
    }

    /** Number of blocks of {@code per} covering {@code count}. */
    static int blocks(int count, int per) {
        return (count + per - 1) / per;
    }
}
