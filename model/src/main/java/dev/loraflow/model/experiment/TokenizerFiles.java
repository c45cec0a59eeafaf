package dev.loraflow.model.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraflow.core.io.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a learned BPE as a Llama-2-style HuggingFace tokenizer (the layout of llama2.c's stories260K
 * tokenizer.json): ids 0–2 are {@code <unk> <s> </s>}, 3–258 the byte-fallback tokens {@code <0x00>}…{@code <0xFF>},
 * then the single characters, then the merged tokens; a "▁" prepended and spaces replaced by "▁"; BOS added.
 */
public final class TokenizerFiles {
    public static final int UNK = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    private static final List<String> SPECIAL = List.of("<unk>", "<s>", "</s>");

    private TokenizerFiles() {}

    /** The vocabulary in id order. */
    public static List<String> vocabulary(BpeTrainer.Result bpe) {
        List<String> tokens = new ArrayList<>(SPECIAL);
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format(Locale.ROOT, "<0x%02X>", b));
        }
        tokens.addAll(bpe.alphabet());
        tokens.addAll(bpe.mergedTokens());
        return tokens;
    }

    /** Writes tokenizer.json and tokenizer_config.json into {@code dir}; returns the vocabulary size. */
    public static int write(BpeTrainer.Result bpe, Path dir) {
        ObjectMapper json = new ObjectMapper();
        List<String> vocabulary = vocabulary(bpe);
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < SPECIAL.size(); id++) {
            added.addObject().put("id", id).put("content", SPECIAL.get(id)).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        ObjectNode normalizer = root.putObject("normalizer").put("type", "Sequence");
        ArrayNode normalizers = normalizer.putArray("normalizers");
        normalizers.addObject().put("type", "Prepend").put("prepend", BpeTrainer.WORD_START);
        ObjectNode replace = normalizers.addObject().put("type", "Replace");
        replace.putObject("pattern").put("String", " ");
        replace.put("content", BpeTrainer.WORD_START);
        root.putNull("pre_tokenizer");
        root.set("post_processor", bosTemplate(json));
        ObjectNode decoder = root.putObject("decoder").put("type", "Sequence");
        ArrayNode decoders = decoder.putArray("decoders");
        ObjectNode spaces = decoders.addObject().put("type", "Replace");
        spaces.putObject("pattern").put("String", BpeTrainer.WORD_START);
        spaces.put("content", " ");
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        decoders.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.put("unk_token", "<unk>").putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", true).put("byte_fallback", true).put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < vocabulary.size(); id++) {
            vocab.put(vocabulary.get(id), id);
        }
        ArrayNode merges = model.putArray("merges");
        bpe.merges().forEach(m -> merges.add(m[0] + " " + m[1]));
        AtomicFiles.writeString(dir.resolve("tokenizer.json"), root.toPrettyString() + "\n");
        AtomicFiles.writeString(dir.resolve("tokenizer_config.json"), config(json).toPrettyString() + "\n");
        return vocabulary.size();
    }

    private static ObjectNode bosTemplate(ObjectMapper json) {
        ObjectNode post = json.createObjectNode().put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bos = post.putObject("special_tokens").putObject("<s>").put("id", "<s>");
        bos.putArray("ids").add(BOS);
        bos.putArray("tokens").add("<s>");
        return post;
    }

    private static ObjectNode config(ObjectMapper json) {
        ObjectNode c = json.createObjectNode();
        c.put("add_bos_token", true).put("add_eos_token", false);
        c.put("bos_token", "<s>").put("eos_token", "</s>").put("unk_token", "<unk>").putNull("pad_token");
        c.put("clean_up_tokenization_spaces", false).put("legacy", true).put("model_max_length", 512);
        c.put("tokenizer_class", "LlamaTokenizer");
        ObjectNode decoderMap = c.putObject("added_tokens_decoder");
        for (int id = 0; id < SPECIAL.size(); id++) {
            decoderMap.putObject(Integer.toString(id)).put("content", SPECIAL.get(id)).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        return c;
    }
}
