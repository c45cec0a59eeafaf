package dev.loraflow.core.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.loraflow.kernels.ThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The composite check: a one-layer transformer with a LoRA-Flow gate and two adapters, whose tape gradients equal
 * central differences when only the gate trains (LoRA-Flow) and when only the adapters train; and whose gradients
 * under a checkpointed layer are bit-identical to the plain ones.
 */
class TinyTransformerGradientTest {
    private static final ThreadPool POOL = new ThreadPool(2);

    @AfterAll
    static void close() {
        POOL.close();
    }

    @Test
    void gateGradientsMatchCentralDifferences() {
        TinyTransformer model = new TinyTransformer(true, false, false);
        FiniteDifferences.check("gate only", POOL, ops -> model.loss(ops, false), model.parameters.toArray(Parameter[]::new));
    }

    @Test
    void adapterGradientsMatchCentralDifferences() {
        TinyTransformer model = new TinyTransformer(false, true, false);
        assertEquals(14, model.parameters.size());
        FiniteDifferences.check("adapters only", POOL, ops -> model.loss(ops, false), model.parameters.toArray(Parameter[]::new));
        assertNull(model.wg.grad(), "the frozen gate gets no gradient buffer");
    }

    @Test
    void checkpointedLayerGivesIdenticalGradients() {
        // The embedding trains too, so gradients must also flow out of the checkpoint into its input.
        TinyTransformer plain = new TinyTransformer(true, true, true);
        TinyTransformer checkpointed = new TinyTransformer(true, true, true);
        float plainLoss = backward(plain, false);
        float checkpointedLoss = backward(checkpointed, true);
        assertEquals(plainLoss, checkpointedLoss);
        for (int i = 0; i < plain.parameters.size(); i++) {
            Parameter p = plain.parameters.get(i);
            assertArrayEquals(p.grad(), checkpointed.parameters.get(i).grad(), p.name());
        }
    }

    @Test
    void checkpointKeepsOnlyTheLayerInputOnTheTape() {
        TinyTransformer model = new TinyTransformer(true, false, false);
        Tape plain = new Tape(), checkpointed = new Tape();
        model.loss(new Ops(plain, POOL), false);
        model.loss(new Ops(checkpointed, POOL), true);
        // checkpoint + final norm + lm head + loss, against every op of the layer.
        assertEquals(4, checkpointed.size());
        assertEquals(true, plain.size() > 15, "plain tape records each layer op, got " + plain.size());
    }

    private static float backward(TinyTransformer model, boolean checkpointed) {
        Tape tape = new Tape();
        Variable loss = model.loss(new Ops(tape, POOL), checkpointed);
        tape.backward(loss);
        assertEquals(0, tape.size(), "backward consumes the tape");
        return loss.item();
    }
}
