package dev.loraflow.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads a HuggingFace tokenizer.json (BPE model) into a {@link BpeTokenizer}. The family is taken
 * from what the file declares: a ByteLevel pre-tokenizer means byte-level BPE; no pre-tokenizer or
 * Metaspace means SentencePiece-style BPE.
 */
final class HfTokenizerJson {
    static final String FILE_NAME = "tokenizer.json";

    private final Path file;
    private final TokenizerJsonDocument document;
    private final JsonNode root;
    private final JsonNode model;
    private final TokenizerConfig config;

    private HfTokenizerJson(Path file, TokenizerConfig config) {
        this.file = file;
        this.config = config;
        this.document = TokenizerJsonDocument.read(file);
        this.root = document.root();
        this.model = JsonFiles.required(root, "model", "", file);
    }

    static BpeTokenizer read(Path file, TokenizerConfig config, Path configFile) {
        return new HfTokenizerJson(file, config).build(configFile);
    }

    private BpeTokenizer build(Path configFile) {
        String type = model.path("type").asText("");
        if (!type.equals("BPE")) {
            throw new TokenizerException("unsupported tokenizer model type '" + type + "' in " + file
                    + " (model.type); loraflow reads BPE tokenizers (SentencePiece-style with byte fallback, or byte-level)");
        }
        for (String field : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (!model.path(field).asText("").isEmpty()) {
                throw new TokenizerException(file + ": model." + field + " is not supported (only Llama-style BPE files are)");
            }
        }
        Map<String, Integer> modelVocab = readModelVocab();
        List<AddedToken> added = readAddedTokens();
        Vocabulary vocabulary = vocabulary(modelVocab, added);

        SegmentEncoder segments = new NormalizedSegments(
                NormalizerReader.read(root.get("normalizer"), config.legacy(), file),
                segments(modelVocab, preTokenizers(root.get("pre_tokenizer"))));
        OptionalInt bos = config.bosToken().map(vocabulary::id).orElse(OptionalInt.empty());
        OptionalInt eos = config.eosToken().map(vocabulary::id).orElse(OptionalInt.empty());
        SpecialTokenWrapping wrapping = SpecialTokenWrapping.fromPostProcessor(root.get("post_processor"), file);
        if (bos.isEmpty() && wrapping.prefix().length > 0) {
            bos = OptionalInt.of(wrapping.prefix()[0]);
        }
        if (eos.isEmpty() && wrapping.suffix().length > 0) {
            eos = OptionalInt.of(wrapping.suffix()[wrapping.suffix().length - 1]);
        }
        wrapping = wrapping.overriddenBy(config, bos, eos, configFile);
        TokenDecoder decoder = DecoderReader.read(root.get("decoder"), vocabulary, file);
        Optional<ChatTemplate> template = ChatTemplate.fromConfig(config, vocabulary, bos, eos);
        return new BpeTokenizer(new BpeTokenizer.Parts(vocabulary, new AddedTokenSplitter(added), segments, wrapping,
                decoder, bos, eos, template));
    }

    private Map<String, Integer> readModelVocab() {
        if (document.vocab() == null) {
            throw new TokenizerException(file + " has no model.vocab object of token -> id; it is not a complete"
                    + " HuggingFace tokenizer file (re-download it)");
        }
        return document.vocab();
    }

    private List<AddedToken> readAddedTokens() {
        List<AddedToken> added = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            added.add(new AddedToken(t.path("id").asInt(), t.path("content").asText(), t.path("special").asBoolean(),
                    t.path("lstrip").asBoolean(), t.path("rstrip").asBoolean()));
        }
        return added;
    }

    private static Vocabulary vocabulary(Map<String, Integer> modelVocab, List<AddedToken> added) {
        int size = 0;
        for (int id : modelVocab.values()) {
            size = Math.max(size, id + 1);
        }
        for (AddedToken t : added) {
            size = Math.max(size, t.id() + 1);
        }
        String[] tokens = new String[size];
        boolean[] special = new boolean[size];
        modelVocab.forEach((token, id) -> tokens[id] = token);
        for (AddedToken t : added) {
            tokens[t.id()] = t.content();
            special[t.id()] = t.special();
        }
        return new Vocabulary(tokens, special);
    }

    /** The pre-tokenizer as a flat list of steps (a Sequence is unrolled; none is an empty list). */
    private static List<JsonNode> preTokenizers(JsonNode node) {
        List<JsonNode> steps = new ArrayList<>();
        if (node == null || node.isNull()) {
            return steps;
        }
        if ("Sequence".equals(node.path("type").asText())) {
            node.path("pretokenizers").forEach(step -> steps.addAll(preTokenizers(step)));
        } else {
            steps.add(node);
        }
        return steps;
    }

    private SegmentEncoder segments(Map<String, Integer> modelVocab, List<JsonNode> preTokenizers) {
        List<String> types = preTokenizers.stream().map(p -> p.path("type").asText()).toList();
        if (types.isEmpty()) {
            return new SentencePieceSegments(null, bpeModel(modelVocab));
        }
        if (types.equals(List.of("Metaspace"))) {
            return new SentencePieceSegments(metaspace(preTokenizers.get(0)), bpeModel(modelVocab));
        }
        if (types.equals(List.of("ByteLevel")) && preTokenizers.get(0).path("use_regex").asBoolean(true)) {
            return byteLevel(modelVocab, HfRegex.GPT2, preTokenizers.get(0).path("add_prefix_space").asBoolean(false));
        }
        if (types.equals(List.of("Split", "ByteLevel"))) {
            JsonNode split = preTokenizers.get(0);
            JsonNode byteLevel = preTokenizers.get(1);
            boolean plainIsolated = "Isolated".equals(split.path("behavior").asText()) && !split.path("invert").asBoolean()
                    && !byteLevel.path("use_regex").asBoolean(true) && !byteLevel.path("add_prefix_space").asBoolean(false);
            if (plainIsolated) {
                return byteLevel(modelVocab, splitRegex(split), false);
            }
        }
        throw new TokenizerException("unsupported pre_tokenizer " + types + " in " + file
                + " (pre_tokenizer); supported: none, Metaspace, ByteLevel, or Split(Isolated) followed by ByteLevel");
    }

    private String splitRegex(JsonNode split) {
        JsonNode pattern = split.path("pattern");
        if (pattern.has("Regex")) {
            return pattern.get("Regex").asText();
        }
        if (pattern.has("String")) {
            return java.util.regex.Pattern.quote(pattern.get("String").asText());
        }
        throw new TokenizerException(file + ": a Split pre-tokenizer needs pattern.Regex or pattern.String");
    }

    private SegmentEncoder byteLevel(Map<String, Integer> modelVocab, String regex, boolean addPrefixSpace) {
        String where = file + " pre_tokenizer";
        if (model.path("ignore_merges").asBoolean(false)) {
            return new TiktokenSegments(file.toString(), HfRegex.compileCoveringGaps(regex, where),
                    byteRanks(modelVocab), addPrefixSpace);
        }
        return new ByteLevelMergeSegments(new RegexSplitter(HfRegex.compile(regex, where)), addPrefixSpace,
                bpeModel(modelVocab));
    }

    /** Ranks for jtokkit: each vocabulary token's bytes, ranked by id (tiktoken's convention). */
    private static Map<byte[], Integer> byteRanks(Map<String, Integer> modelVocab) {
        Map<byte[], Integer> ranks = new HashMap<>(modelVocab.size() * 2);
        modelVocab.forEach((token, id) -> {
            byte[] bytes = ByteLevelAlphabet.decode(token);
            if (bytes != null) {
                ranks.put(bytes, id);
            }
        });
        return ranks;
    }

    private Metaspace metaspace(JsonNode node) {
        String replacement = node.path("replacement").asText("\u2581");
        Metaspace.PrependScheme scheme = node.has("prepend_scheme")
                ? Metaspace.PrependScheme.valueOf(node.get("prepend_scheme").asText().toUpperCase(java.util.Locale.ROOT))
                : node.path("add_prefix_space").asBoolean(true) ? Metaspace.PrependScheme.ALWAYS : Metaspace.PrependScheme.NEVER;
        if (scheme == Metaspace.PrependScheme.ALWAYS && !config.legacy()) {
            scheme = Metaspace.PrependScheme.FIRST; // legacy: false means no ▁ after special tokens
        }
        return new Metaspace(replacement.charAt(0), scheme, node.path("split").asBoolean(true));
    }

    private BpeModel bpeModel(Map<String, Integer> modelVocab) {
        String unk = model.path("unk_token").asText(null);
        int unkId = unk == null ? -1 : modelVocab.getOrDefault(unk, -1);
        return new BpeModel(modelVocab, merges(modelVocab), model.path("byte_fallback").asBoolean(false), unkId,
                model.path("fuse_unk").asBoolean(false), model.path("ignore_merges").asBoolean(false));
    }

    private MergeTable merges(Map<String, Integer> modelVocab) {
        List<String[]> merges = document.merges();
        if (merges == null) {
            throw new TokenizerException(file + " has no model.merges list; it is not a complete HuggingFace"
                    + " tokenizer file (re-download it)");
        }
        int n = merges.size();
        int[] lefts = new int[n];
        int[] rights = new int[n];
        int[] results = new int[n];
        for (int rank = 0; rank < n; rank++) {
            String left = merges.get(rank)[0];
            String right = merges.get(rank)[1];
            lefts[rank] = vocabId(modelVocab, left, rank);
            rights[rank] = vocabId(modelVocab, right, rank);
            results[rank] = vocabId(modelVocab, left + right, rank);
        }
        return new MergeTable(lefts, rights, results);
    }

    private int vocabId(Map<String, Integer> modelVocab, String token, int rank) {
        Integer id = modelVocab.get(token);
        if (id == null) {
            throw new TokenizerException(file + ": model.merges[" + rank + "] uses '" + token
                    + "', which is not in model.vocab; the file is inconsistent (re-download it)");
        }
        return id;
    }
}
