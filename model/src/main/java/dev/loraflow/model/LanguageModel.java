package dev.loraflow.model;

import dev.loraflow.core.config.LlamaConfig;
import dev.loraflow.core.safetensors.Residency;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.generate.Generator;
import dev.loraflow.model.generate.SamplingParams;
import dev.loraflow.model.llama.InferenceSession;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.llama.WeightFormat;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.WeightTrace;
import dev.loraflow.core.LoraflowException;
import dev.loraflow.tokenizer.ChatMessage;
import dev.loraflow.tokenizer.StreamingDecoder;
import dev.loraflow.tokenizer.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The engine's front door for library users: a model directory's weights, tokenizer and a thread
 * pool. The CLI is built on this class.
 *
 * <pre>{@code
 * try (LanguageModel lm = LanguageModel.open(Path.of("models/stories260K"), 2)) {
 *     Completion c = lm.complete("Once upon a time", SamplingParams.greedy(64), System.out::print);
 * }
 * }</pre>
 */
public final class LanguageModel implements AutoCloseable {
    private final LlamaModel model;
    private final Tokenizer tokenizer;
    private final ThreadPool pool;
    private final Set<Integer> eosIds;

    private LanguageModel(LlamaModel model, Tokenizer tokenizer, ThreadPool pool, Set<Integer> eosIds) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.pool = pool;
        this.eosIds = eosIds;
    }

    /** Opens a HuggingFace model directory (config.json, safetensors, tokenizer.json) with {@code threads} workers. */
    public static LanguageModel open(Path dir, int threads) {
        return open(dir, threads, null);
    }

    /** As {@link #open(Path, int)}, with the layer matrices quantised at load (null keeps the file's dtype). */
    public static LanguageModel open(Path dir, int threads, WeightFormat quantize) {
        return open(dir, threads, quantize, Residency.IN_MEMORY);
    }

    /**
     * As {@link #open(Path, int, WeightFormat)}, the file's weights held as {@code residency} says when they are not
     * quantised ({@link Residency#IN_MEMORY}, the default, decodes faster; {@link Residency#MAPPED} opens at once).
     */
    public static LanguageModel open(Path dir, int threads, WeightFormat quantize, Residency residency) {
        return open(dir, threads, quantize, residency, bytes -> { });
    }

    /**
     * As {@link #open(Path, int, WeightFormat, Residency)}, reporting progress in bytes of the file's tensors: as they
     * are read into memory, or as they are quantised; a mapping reports none.
     */
    public static LanguageModel open(Path dir, int threads, WeightFormat quantize, Residency residency,
                                     LongConsumer progress) {
        Tokenizer tokenizer = Tokenizer.load(dir);
        ThreadPool pool = new ThreadPool(threads);
        LlamaModel model;
        try {
            model = LlamaModel.load(dir, quantize, residency, pool, progress);
        } catch (RuntimeException | Error e) {
            pool.close();
            throw e;
        }
        Set<Integer> eos = new HashSet<>();
        Arrays.stream(model.config().eosTokenIds()).forEach(eos::add);
        tokenizer.eosId().ifPresent(eos::add);
        eos.addAll(generationConfigEos(dir));
        return new LanguageModel(model, tokenizer, pool, Set.copyOf(eos));
    }

    /** generation_config.json's eos_token_id (an id or a list; chat models list their end-of-turn token there). */
    private static Set<Integer> generationConfigEos(Path dir) {
        Path file = dir.resolve("generation_config.json");
        if (!Files.isRegularFile(file)) {
            return Set.of();
        }
        try {
            JsonNode eos = new ObjectMapper().readTree(file.toFile()).get("eos_token_id");
            Set<Integer> ids = new HashSet<>();
            if (eos != null && eos.isArray()) {
                eos.forEach(e -> ids.add(e.asInt()));
            } else if (eos != null && eos.isIntegralNumber()) {
                ids.add(eos.intValue());
            }
            return ids;
        } catch (IOException e) {
            throw new LoraflowException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    public LlamaModel model() {
        return model;
    }

    public LlamaConfig config() {
        return model.config();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ThreadPool pool() {
        return pool;
    }

    /** A new sequence on the base model with room for {@code contextLength} tokens. */
    public InferenceSession newSession(int contextLength) {
        return new InferenceSession(model, contextLength, pool);
    }

    /** A new sequence whose projections add the fused adapters. */
    public InferenceSession newSession(int contextLength, Fusion fusion) {
        return new InferenceSession(model, contextLength, pool, fusion);
    }

    /** Loads PEFT adapters by name (in the map's order), checked against this model. */
    public List<LoraAdapter> loadAdapters(Map<String, Path> namedDirs) {
        List<LoraAdapter> adapters = new ArrayList<>();
        namedDirs.forEach((name, dir) -> adapters.add(LoraAdapter.load(name, dir, model.config())));
        return adapters;
    }

    /** The base model alone, as a fusion of no adapters. */
    public Fusion baseFusion() {
        return Fusion.none(model.config());
    }

    /** Prompt text to ids, with BOS as the tokenizer adds it; an empty prompt gives BOS alone. */
    public int[] encodePrompt(String prompt) {
        int[] ids = tokenizer.encode(prompt);
        if (ids.length == 0) {
            int bos = tokenizer.bosId().orElse(model.config().bosTokenId().orElse(0));
            return new int[] {bos};
        }
        return ids;
    }

    /**
     * A conversation rendered with the model's own chat template (tokenizer_config.json), ending
     * with the assistant's turn opened, then encoded with special-token text parsed (as HF's apply_chat_template).
     */
    public int[] encodeChat(List<ChatMessage> messages) {
        var template = tokenizer.chatTemplate().orElseThrow(() -> new LoraflowException(
                "this model's tokenizer_config.json has no chat_template; use a plain prompt instead of chat"));
        return tokenizer.encode(template.render(messages, true), false, true);
    }

    /** True for the EOS ids of config.json, generation_config.json and the tokenizer. */
    public boolean isEos(int id) {
        return eosIds.contains(id);
    }

    /** Generates a continuation of {@code prompt}, passing text pieces to {@code onText} as they complete. */
    public Completion complete(String prompt, SamplingParams params, Consumer<String> onText) {
        int[] promptIds = encodePrompt(prompt);
        return complete(promptIds, params, onText);
    }

    public Completion complete(int[] promptIds, SamplingParams params, Consumer<String> onText) {
        return complete(promptIds, params, baseFusion(), null, onText);
    }

    /**
     * Generates with fused adapters. With a trace, every token's fusion weights are recorded,
     * the last generated token's included (it is fed once more for that, when the context has room).
     */
    public Completion complete(int[] promptIds, SamplingParams params, Fusion fusion, WeightTrace trace,
                               Consumer<String> onText) {
        int wanted = promptIds.length + params.maxTokens() + (trace == null ? 0 : 1);
        int context = Math.max(Math.min(model.config().maxPositionEmbeddings(), wanted), promptIds.length);
        InferenceSession session = newSession(context, fusion);
        session.trace(trace);
        StreamingDecoder decoder = tokenizer.streamingDecoder(true);
        long start = System.nanoTime();
        long[] firstToken = {0};
        int[] ids = Generator.generate(session, promptIds, params, this::isEos, id -> {
            if (firstToken[0] == 0) {
                firstToken[0] = System.nanoTime();
            }
            String piece = decoder.push(id);
            if (!piece.isEmpty()) {
                onText.accept(piece);
            }
        });
        String rest = decoder.finish();
        if (!rest.isEmpty()) {
            onText.accept(rest);
        }
        long end = System.nanoTime();
        if (trace != null && ids.length > 0 && session.position() < session.capacity()) {
            session.forward(ids, ids.length - 1, 1);
        }
        String text = tokenizer.decode(ids, true);
        long prefillNanos = firstToken[0] == 0 ? end - start : firstToken[0] - start;
        return new Completion(promptIds, ids, text, prefillNanos, end - start - prefillNanos);
    }

    @Override
    public void close() {
        pool.close();
        model.close();
    }
}
