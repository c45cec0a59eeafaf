package dev.loraflow.core.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.DType;
import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.Tensor;
import dev.loraflow.kernels.ThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** What the tape records, which gradients exist, accumulation across passes, and non-finite reporting. */
class TapeTest {
    private static final ThreadPool POOL = new ThreadPool(2);

    @AfterAll
    static void close() {
        POOL.close();
    }

    @Test
    void opsOnConstantsRecordNothingAndHaveNoGradient() {
        Tape tape = new Tape();
        Ops ops = new Ops(tape, POOL);
        Variable x = Variable.constant(new float[] {1, 2, 3, 4}, 2, 2);
        Variable y = ops.siluMul(ops.add(x, x), x);
        assertFalse(y.requiresGrad());
        assertNull(y.grad());
        assertEquals(0, tape.size());
        LoraflowException e = assertThrows(LoraflowException.class, () -> tape.backward(ops.dot(y, new float[4])));
        assertTrue(e.getMessage().contains("does not depend on any trainable parameter"), e.getMessage());
    }

    @Test
    void gradientsFlowThroughFrozenWeightsWithoutBuffersForThem() {
        Tape tape = new Tape();
        Ops ops = new Ops(tape, POOL);
        Parameter x = new Parameter("x", new float[] {1, -2, 0.5f}, 1, 3);
        Variable frozen = Variable.constant(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Variable y = ops.linear(x, frozen);
        tape.backward(ops.dot(y, new float[] {1, 10}));
        assertArrayEquals(new float[] {41, 52, 63}, x.grad()); // 1·[1,2,3] + 10·[4,5,6]
        assertNull(frozen.grad());
        assertNull(y.grad(), "intermediate gradients are released once used");
    }

    @Test
    void parameterGradientsAccumulateAcrossPassesUntilZeroed() {
        Parameter x = new Parameter("x", new float[] {1, 2}, 1, 2);
        for (int pass = 0; pass < 2; pass++) {
            Tape tape = new Tape();
            Ops ops = new Ops(tape, POOL);
            tape.backward(ops.dot(x, new float[] {3, 4}));
        }
        assertArrayEquals(new float[] {6, 8}, x.grad());
        x.zeroGrad();
        assertArrayEquals(new float[] {0, 0}, x.grad());
    }

    @Test
    void nonFiniteLossIsReported() {
        Tape tape = new Tape();
        Ops ops = new Ops(tape, POOL);
        Parameter logits = new Parameter("logits", new float[] {0, Float.NaN, 1}, 1, 3);
        Variable loss = ops.crossEntropy(logits, new int[] {0}, new boolean[] {true});
        LoraflowException e = assertThrows(LoraflowException.class, () -> tape.backward(loss));
        assertTrue(e.getMessage().contains("the loss is NaN"), e.getMessage());
        assertEquals(0, tape.size());
    }

    /** Finite forward, overflowing backward: the two rows of W add to 2·3e38 in dX. */
    @Test
    void nonFiniteGradientNamesTheOpAndTheVariable() {
        Tape tape = new Tape();
        Ops ops = new Ops(tape, POOL);
        Parameter x = new Parameter("hidden", new float[] {1e-30f, 0}, 1, 2);
        Tensor w = FiniteDifferences.tensor("W", DType.F32, new float[] {3e38f, 0, 3e38f, 0}, 2, 2);
        Variable loss = ops.dot(ops.linear(x, w), new float[] {1, 1});
        assertTrue(Float.isFinite(loss.item()));
        LoraflowException e = assertThrows(LoraflowException.class, () -> tape.backward(loss));
        assertTrue(e.getMessage().contains("parameter 'hidden'") && e.getMessage().contains("'linear'")
                && e.getMessage().contains("Infinity"), e.getMessage());
    }

    @Test
    void emptyMaskIsAClearError() {
        Ops ops = new Ops(new Tape(), POOL);
        Parameter logits = new Parameter("logits", new float[6], 2, 3);
        LoraflowException e = assertThrows(LoraflowException.class,
                () -> ops.crossEntropy(logits, new int[] {0, 1}, new boolean[] {false, false}));
        assertTrue(e.getMessage().contains("counts no position"), e.getMessage());
    }
}
