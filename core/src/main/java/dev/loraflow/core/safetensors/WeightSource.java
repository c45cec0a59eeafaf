package dev.loraflow.core.safetensors;

import dev.loraflow.core.Tensor;
import java.util.Optional;
import java.util.Set;

/** Named tensors from one safetensors file or a sharded set; closing it unmaps the files. */
public interface WeightSource extends AutoCloseable {
    Optional<Tensor> find(String name);

    /** Every tensor name, in a stable order. */
    Set<String> names();

    /** Where the tensors come from, for error messages. */
    String describe();

    default Tensor require(String name) {
        return find(name).orElseThrow(() -> new SafetensorsException(
                describe() + ": missing tensor '" + name + "'; the weights do not match this model's config"));
    }

    @Override
    void close();
}
