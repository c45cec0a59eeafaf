package dev.loraflow.tokenizer;

/** A tokenizer.json normalizer step (or a whole sequence of them). */
@FunctionalInterface
interface TextNormalizer {
    TextNormalizer IDENTITY = (text, atTextStart) -> text;

    String normalize(String text, boolean atTextStart);

    default TextNormalizer then(TextNormalizer next) {
        return (text, atTextStart) -> next.normalize(normalize(text, atTextStart), atTextStart);
    }
}
