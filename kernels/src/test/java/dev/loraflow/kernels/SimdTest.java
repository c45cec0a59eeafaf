package dev.loraflow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SimdTest {
    /** mvn ... -Dloraflow.vectorBits=128 reaches the test JVM, so the whole suite runs at that width. */
    @Test
    void forcedWidthIsHonoured() {
        String forced = System.getProperty("loraflow.vectorBits");
        System.out.println("kernels vector width: " + VectorMath.vectorBits() + " bits (forced: " + forced + ")");
        if (forced != null) {
            assertEquals(Integer.parseInt(forced), VectorMath.vectorBits());
        }
        assertEquals(VectorMath.vectorBits() / 32, Simd.LANES);
    }
}
