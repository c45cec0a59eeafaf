package dev.loraflow.model.eval;

/**
 * The outcome of one example.
 *
 * @param line      the data file's line
 * @param loss      the example's summed loss over its counted tokens
 * @param generated the greedy response (null when the metric does not generate)
 * @param extracted what was compared: the generated response's final number for exact-number (null when it has
 *                  none, which is simply wrong), the trimmed response for exact; null for loss
 * @param expected  the reference's final number or trimmed text; null for loss
 * @param correct   null for the loss metric
 */
public record ExampleResult(int line, TokenLoss loss, boolean truncated, String generated, String extracted,
                            String expected, Boolean correct) {}
