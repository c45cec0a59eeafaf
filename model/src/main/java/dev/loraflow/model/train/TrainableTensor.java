package dev.loraflow.model.train;

/**
 * A trained array with its gradient buffer. {@code decays} says whether weight decay applies
 * (weights yes; biases no, following the HuggingFace Trainer's convention).
 */
public record TrainableTensor(String name, float[] values, float[] grad, boolean decays) {
    public TrainableTensor {
        if (values.length != grad.length) {
            throw new IllegalArgumentException(name + ": gradient length differs from the values'");
        }
    }

    public static TrainableTensor of(String name, float[] values, boolean decays) {
        return new TrainableTensor(name, values, new float[values.length], decays);
    }

    public void zeroGrad() {
        java.util.Arrays.fill(grad, 0f);
    }
}
