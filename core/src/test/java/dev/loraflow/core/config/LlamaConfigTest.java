package dev.loraflow.core.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaConfigTest {
    private static final String BASE = """
            {"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":64,"intermediate_size":172,
             "num_hidden_layers":5,"num_attention_heads":8,"num_key_value_heads":4,"vocab_size":512,%s}""";

    private static LlamaConfig parse(String extra) throws Exception {
        String json = BASE.formatted(extra.isEmpty() ? "\"rms_norm_eps\":1e-5" : extra);
        return LlamaConfig.parse(new ObjectMapper().readTree(json), "config.json");
    }

    @Test
    void readsStories260K() {
        Path dir = SharedData.require("models/stories260K");
        LlamaConfig c = LlamaConfig.load(dir);
        assertEquals(64, c.hiddenSize());
        assertEquals(4, c.numKvHeads());
        assertEquals(8, c.headDim());
        assertTrue(c.tieWordEmbeddings());
        assertEquals(1e-5, c.rmsNormEps());
        assertArrayEquals(new int[] {2}, c.eosTokenIds());
        assertInstanceOf(RopeScaling.None.class, c.ropeScaling());
    }

    @Test
    void defaultsFollowHuggingFace() throws Exception {
        LlamaConfig c = parse("");
        assertEquals(8, c.headDim());
        assertEquals(10000.0, c.ropeTheta());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(0, c.eosTokenIds().length);
    }

    @Test
    void readsListEosExplicitHeadDimAndScalings() throws Exception {
        LlamaConfig c = parse("\"eos_token_id\":[128001,128009],\"head_dim\":16,"
                + "\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0,\"low_freq_factor\":1.0,"
                + "\"high_freq_factor\":4.0,\"original_max_position_embeddings\":8192}");
        assertArrayEquals(new int[] {128001, 128009}, c.eosTokenIds());
        assertTrue(c.isEos(128009));
        assertEquals(16, c.headDim());
        assertEquals(new RopeScaling.Llama3(8, 1, 4, 8192), c.ropeScaling());
        assertEquals(new RopeScaling.Linear(2), parse("\"rope_scaling\":{\"type\":\"linear\",\"factor\":2}").ropeScaling());
    }

    @Test
    void rejectsWhatItCannotRun() {
        assertMessage("\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4}", "yarn");
        assertMessage("\"num_key_value_heads\":3", "num_key_value_heads");
        assertMessage("\"hidden_act\":\"gelu\"", "gelu");
        assertMessage("\"model_type\":\"gpt2\"", "gpt2");
        assertMessage("\"rope_scaling\":{\"rope_type\":\"linear\"}", "factor");
        assertMessage("\"tie_word_embeddings\":\"yes\"", "tie_word_embeddings");
    }

    @Test
    void missingFieldAndUnknownArchitectureNameTheFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\",\"hidden_size\":8}");
        ConfigException e = assertThrows(ConfigException.class, () -> LlamaConfig.load(dir));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("num_attention_heads"), e.getMessage());
        Files.writeString(dir.resolve("config.json"), BASE.formatted("\"x\":1").replace("LlamaForCausalLM", "BertModel"));
        e = assertThrows(ConfigException.class, () -> LlamaConfig.load(dir));
        assertTrue(e.getMessage().contains("BertModel"), e.getMessage());
        Files.writeString(dir.resolve("config.json"), "{oops");
        e = assertThrows(ConfigException.class, () -> LlamaConfig.load(dir));
        assertTrue(e.getMessage().contains("invalid JSON"), e.getMessage());
    }

    private static void assertMessage(String extra, String fragment) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(extra));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
