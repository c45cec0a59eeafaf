package dev.loraflow.core.autograd;

import dev.loraflow.core.LoraflowException;
import java.util.ArrayList;
import java.util.List;

/**
 * Records, in forward order, the backward step of every operation whose output requires a gradient, and replays
 * them in reverse from a scalar loss. A tape serves one forward pass: {@link #backward} consumes it, dropping each
 * step (and so the activations only it kept) as soon as it has run, and each intermediate gradient once used.
 * After every step the gradients it produced are checked, so a NaN or infinity is reported at the operation
 * where it first appears.
 */
public final class Tape {
    private record Step(String op, Gradient out, BackwardStep backward, Gradient[] inputs) {}

    private final List<Step> steps = new ArrayList<>();
    private final boolean recording;

    public Tape() {
        this(true);
    }

    private Tape(boolean recording) {
        this.recording = recording;
    }

    /** A tape that records nothing: forward only (evaluation, or the first pass of a checkpointed block). */
    public static Tape notRecording() {
        return new Tape(false);
    }

    public boolean recording() {
        return recording;
    }

    /** Number of recorded steps not yet run. */
    public int size() {
        return steps.size();
    }

    /** Records the backward of an op whose output is out, reading and writing the gradients of inputs. */
    void record(String op, Variable out, BackwardStep backward, Variable... inputs) {
        if (!recording || !out.requiresGrad()) {
            return;
        }
        Gradient[] grads = new Gradient[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            grads[i] = inputs[i].gradient();
        }
        steps.add(new Step(op, out.gradient(), backward, grads));
    }

    /** Accumulates d(loss)/d(p) into every parameter p the [1][1] loss depends on, then empties the tape. */
    public void backward(Variable loss) {
        if (loss.rows() * loss.cols() != 1) {
            throw new LoraflowException("backward needs a scalar loss but got [" + loss.rows() + "][" + loss.cols() + "]");
        }
        if (!Float.isFinite(loss.item())) {
            clear();
            throw new LoraflowException("the loss is " + loss.item() + " before the backward pass; check the inputs, "
                    + "the mask (does it count any token?) and the learning rate");
        }
        if (!loss.requiresGrad()) {
            clear();
            throw new LoraflowException("the loss does not depend on any trainable parameter, so there is nothing to differentiate");
        }
        loss.accumulator()[0] += 1f;
        run();
    }

    /** Runs the steps in reverse from an output whose gradient is already set (the replay of a checkpoint). */
    void backwardFrom(Variable out) {
        if (out.grad() == null) {
            throw new IllegalStateException("backwardFrom needs the output's gradient to be set");
        }
        run();
    }

    public void clear() {
        steps.clear();
    }

    private void run() {
        try {
            for (int i = steps.size() - 1; i >= 0; i--) {
                Step step = steps.set(i, null);
                float[] gradOut = step.out().values();
                if (gradOut == null) {
                    continue; // nothing downstream of this op reached the loss
                }
                step.backward().backward(gradOut);
                step.out().releaseIfIntermediate();
                for (Gradient g : step.inputs()) {
                    if (g != null) {
                        g.requireFinite("'" + step.op() + "'");
                    }
                }
            }
        } finally {
            steps.clear();
        }
    }
}
