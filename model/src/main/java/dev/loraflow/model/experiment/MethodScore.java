package dev.loraflow.model.experiment;

/** One method's result on one seed's test set: exact-number accuracy (greedy) and mean response loss. */
public record MethodScore(FusionMethod method, double accuracy, double loss) {}
