package dev.loraflow.model.experiment;

/** The seven ways of using the two skills that the experiment compares, in the paper's table order. */
public enum FusionMethod {
    BASE("Base model"),
    LANGUAGE_ONLY("Language LoRA only"),
    TASK_ONLY("Task LoRA only"),
    AVERAGE("Average (task-level)"),
    LORA_HUB("LoRA-Hub (task-level, searched)"),
    LEARNED_STATIC("Learned static (per layer)"),
    LORA_FLOW("LoRA-Flow (dynamic)");

    private final String label;

    FusionMethod(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
