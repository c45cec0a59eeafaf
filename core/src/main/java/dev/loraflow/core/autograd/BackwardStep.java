package dev.loraflow.core.autograd;

/** The recorded backward of one operation: given the gradient of its output, accumulates its inputs' gradients. */
@FunctionalInterface
public interface BackwardStep {
    void backward(float[] gradOut);
}
