package dev.loraflow.bench;

import dev.loraflow.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding speed on 1,000,000 UTF-8 bytes of mixed English, code and multilingual text: the
 * tokenizer test inputs of ../shared (read at run time, {@code -p shared=DIR}) plus a fixed
 * English/code passage, repeated. One operation encodes the whole megabyte, so ops/s = MB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class TokenizerBenchmark {
    static final int TEXT_BYTES = 1_000_000;

    private static final String PROSE_AND_CODE = """
            The quick brown fox jumps over the lazy dog. Once upon a time, there was a little girl named Lily.
            She loved to play outside in the sunshine, and her mother said, "Don't forget your hat!"
            public static int fibonacci(int n) {
                if (n < 2) { return n; } // base case
                return fibonacci(n - 1) + fibonacci(n - 2);
            }
            for i in range(10):
                print(f"{i:>3} squared is {i * i}")
            SELECT name, COUNT(*) FROM users WHERE created_at > '2024-01-01' GROUP BY name;
            Die Würde des Menschen ist unantastbar. 日本語のテキストも少し。 Привет, как дела? 🚀✅
            """;

    /** Directory holding the project's shared reference data. */
    @Param("../shared")
    public String shared;

    /** Tokenizer directory below {@code shared}. */
    @Param({"tokenizers/llama3", "tokenizers/llama2"})
    public String tokenizer;

    private Tokenizer loaded;
    private String text;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path root = Path.of(shared);
        loaded = Tokenizer.load(root.resolve(tokenizer));
        text = corpus(root.resolve("tokenizers/tests"));
        System.out.printf("%n%s: %d UTF-8 bytes -> %d tokens%n", tokenizer,
                text.getBytes(StandardCharsets.UTF_8).length, loaded.encode(text, false, false).length);
    }

    @Benchmark
    public int[] encode() {
        return loaded.encode(text, false, false);
    }

    /** The .inp test inputs and the fixed passage, repeated and cut to TEXT_BYTES at a character boundary. */
    static String corpus(Path testsDir) throws IOException {
        StringBuilder unit = new StringBuilder(PROSE_AND_CODE);
        try (Stream<Path> files = Files.list(testsDir)) {
            for (Path inp : files.filter(p -> p.toString().endsWith(".inp")).sorted().toList()) {
                unit.append(Files.readString(inp, StandardCharsets.UTF_8).replace("__ggml_vocab_test__", ""));
            }
        }
        StringBuilder all = new StringBuilder();
        int bytes = 0;
        while (bytes < TEXT_BYTES) {
            for (int i = 0; i < unit.length() && bytes < TEXT_BYTES; ) {
                int codePoint = unit.codePointAt(i);
                int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
                if (bytes + size > TEXT_BYTES) {
                    bytes = TEXT_BYTES; // stop short rather than split a character
                    break;
                }
                all.appendCodePoint(codePoint);
                bytes += size;
                i += Character.charCount(codePoint);
            }
        }
        return all.toString();
    }
}
