package dev.loraflow.model.train;

import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.Parameter;
import dev.loraflow.core.autograd.Tape;
import dev.loraflow.kernels.ThreadPool;
import java.util.List;

/**
 * Test helper: compares the tape's gradients of a graph's loss with central differences of the float32 loss.
 * Step 1e-2: the loss is smooth in every parameter, so the truncation error is O(h²) ≈ 1e-4 relative, and float32
 * rounding of a loss of a few nats over 2h adds ≈ 2e-5; callers accept 2e-3 · max(1, largest gradient).
 */
final class CentralDifferences {
    static final float STEP = 1e-2f;

    record Comparison(double maxError, double maxGradient) {
        boolean agrees() {
            return maxError < 2e-3 * Math.max(1, maxGradient);
        }

        @Override
        public String toString() {
            return "max |analytic - numeric| = " + maxError + " (largest gradient " + maxGradient + ")";
        }
    }

    private CentralDifferences() {}

    /** Runs backward once, then probes every {@code stride}-th element of each parameter. */
    static Comparison compare(LlamaGraph graph, TrainingBatch batch, List<Parameter> params, int stride, ThreadPool pool) {
        params.forEach(Parameter::zeroGrad);
        Tape tape = new Tape();
        tape.backward(graph.loss(new Ops(tape, pool), batch));
        double maxError = 0;
        double maxGradient = 0;
        for (Parameter p : params) {
            int step = stride > 0 ? stride : Math.max(1, p.data().length / -stride);
            for (int i = 0; i < p.data().length; i += step) {
                float saved = p.data()[i];
                p.data()[i] = saved + STEP;
                double plus = graph.loss(new Ops(Tape.notRecording(), pool), batch).item();
                p.data()[i] = saved - STEP;
                double minus = graph.loss(new Ops(Tape.notRecording(), pool), batch).item();
                p.data()[i] = saved;
                double numeric = (plus - minus) / (2 * STEP);
                double analytic = p.grad() == null ? 0 : p.grad()[i];
                maxGradient = Math.max(maxGradient, Math.abs(numeric));
                maxError = Math.max(maxError, Math.abs(numeric - analytic));
            }
        }
        return new Comparison(maxError, maxGradient);
    }
}
