package dev.loraflow.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.Parameter;
import dev.loraflow.core.autograd.Tape;
import dev.loraflow.kernels.ThreadPool;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    @Test
    void adamWMatchesPyTorch() {
        // Expected values printed by torch.optim.AdamW(lr=0.1, betas=(0.9, 0.95), eps=1e-5, weight_decay=0.1)
        // in float64 from p = [0.5, -1, 2] and the gradients below.
        Parameter p = new Parameter("w", new float[] {0.5f, -1f, 2f}, 1, 3);
        AdamW adam = new AdamW(List.of(p), 0.9f, 0.95f, 1e-5f);
        float[][] grads = {{0.1f, -0.2f, 0.3f}, {0.05f, 0.4f, -0.1f}, {-0.3f, 0f, 0.2f}};
        double[][] expected = {
            {0.3950099990001, -0.8900049997500125, 1.880003333222226},
            {0.29714256433881203, -0.9174412044851541, 1.8207744565730084},
            {0.3282237775572433, -0.936717784614185, 1.7417225898945763},
        };
        for (int s = 0; s < 3; s++) {
            setGradient(p, grads[s]);
            adam.step(0.1f, 0.1f);
            for (int i = 0; i < 3; i++) {
                assertEquals(expected[s][i], p.data()[i], 2e-6, "step " + s + " element " + i);
            }
        }
    }

    /** Gives p exactly the gradient g, through the tape (the only way in): loss = g · p. */
    static void setGradient(Parameter p, float[] g) {
        p.zeroGrad();
        try (ThreadPool pool = new ThreadPool(1)) {
            Tape tape = new Tape();
            tape.backward(new Ops(tape, pool).dot(p, g));
        }
    }

    @Test
    void biasesIgnoreWeightDecay() {
        Parameter decayed = new Parameter("layer.weight", new float[] {1f}, 1, 1);
        Parameter kept = new Parameter("layer.bias", new float[] {1f}, 1, 1);
        new AdamW(List.of(decayed, kept), 0.9f, 0.95f, 1e-5f).step(0.1f, 0.5f);
        assertEquals(0.95f, decayed.data()[0], 1e-6); // no gradient reached it: only the decay moves it
        assertEquals(1f, kept.data()[0]);
    }

    @Test
    void cosineScheduleFollowsHuggingFace() {
        CosineSchedule s = CosineSchedule.withWarmupFraction(1e-3f, 10, 0.2f);
        assertEquals(2, s.warmupSteps());
        assertEquals(0f, s.learningRate(0));
        assertEquals(5e-4f, s.learningRate(1), 1e-9);
        assertEquals(1e-3f, s.learningRate(2), 1e-9);
        // progress 4/8 = 0.5 → 0.5 (1 + cos(π/2)) = 0.5
        assertEquals(5e-4f, s.learningRate(6), 1e-9);
        assertEquals(0f, s.learningRate(10), 1e-9);
    }

    @Test
    void clippingScalesToTheMaxNormAndRefusesNaN() {
        Parameter p = new Parameter("w", new float[2], 1, 2);
        setGradient(p, new float[] {3f, 4f});
        assertEquals(5.0, GradientClipping.clip(List.of(p), 1.0), 1e-9);
        assertArrayEquals(new float[] {0.6f, 0.8f}, p.grad(), 1e-5f);
        p.grad()[1] = Float.NaN;
        LoraflowException e = assertThrows(LoraflowException.class, () -> GradientClipping.clip(List.of(p), 1.0));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("NaN"));
    }
}
