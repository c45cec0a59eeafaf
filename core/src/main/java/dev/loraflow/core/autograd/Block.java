package dev.loraflow.core.autograd;

/**
 * A piece of the forward pass that can run under a checkpoint (usually one decoder layer). It must compute only
 * through the given {@link Ops} and be deterministic, since its backward replays it.
 */
@FunctionalInterface
public interface Block {
    Variable apply(Ops ops, Variable input);
}
