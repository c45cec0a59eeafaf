package dev.loraflow.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes every kernel uses, fixed once at class initialisation.
 * The float width is the platform's preferred one unless {@code -Dloraflow.vectorBits=128|256|512} forces it;
 * the int species has as many lanes as the float one, the short species half its bit size (same lane count),
 * so a row of 16-bit weights widens lane-for-lane into one float vector.
 */
final class Simd {
    static final VectorSpecies<Float> F;
    static final VectorSpecies<Integer> I;
    static final VectorSpecies<Short> S;
    static final int LANES;

    static {
        int bits = Integer.getInteger("loraflow.vectorBits", FloatVector.SPECIES_PREFERRED.vectorBitSize());
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("loraflow.vectorBits must be 128, 256 or 512, got " + bits);
        }
        F = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= bits
                ? VectorSpecies.of(float.class, VectorShape.forBitSize(bits))
                : FloatVector.SPECIES_PREFERRED; // never wider than the hardware supports
        I = VectorSpecies.of(int.class, F.vectorShape());
        S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
        LANES = F.length();
    }

    private Simd() {}
}
