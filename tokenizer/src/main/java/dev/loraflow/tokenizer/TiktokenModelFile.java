package dev.loraflow.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Reads a tiktoken-format tokenizer.model (one {@code base64-bytes rank} per line), completed with
 * Llama 3's special tokens and regex. Token strings are spelled in the byte-level alphabet so
 * {@link Tokenizer#tokenText} matches the equivalent tokenizer.json.
 */
final class TiktokenModelFile {
    static final String FILE_NAME = "tokenizer.model";
    private static final Pattern LINE = Pattern.compile("[A-Za-z0-9+/]+=*\\s+\\d+");

    private TiktokenModelFile() {}

    static boolean looksLikeTiktoken(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            String first = reader.readLine();
            return first != null && LINE.matcher(first.strip()).matches();
        } catch (IOException e) {
            throw new TokenizerException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static BpeTokenizer read(Path file, TokenizerConfig config, Path configFile) {
        Map<byte[], Integer> ranks = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new TokenizerException("cannot read " + file + ": " + e.getMessage(), e);
        }
        int baseSize = 0;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (!LINE.matcher(line).matches()) {
                throw new TokenizerException(file + " line " + (n + 1) + " is not 'base64-token rank': '" + line
                        + "'; a tiktoken tokenizer.model has one such pair per line");
            }
            String[] tokenAndRank = line.split("\\s+");
            int rank = Integer.parseInt(tokenAndRank[1]);
            ranks.put(Base64.getDecoder().decode(tokenAndRank[0]), rank);
            baseSize = Math.max(baseSize, rank + 1);
        }
        List<String> specials = Llama3Defaults.specialTokens();
        String[] tokens = new String[baseSize + specials.size()];
        boolean[] special = new boolean[tokens.length];
        byte[][] bytesById = new byte[tokens.length][];
        ranks.forEach((bytes, rank) -> {
            tokens[rank] = ByteLevelAlphabet.encode(bytes);
            bytesById[rank] = bytes;
        });
        List<AddedToken> added = new ArrayList<>();
        for (int i = 0; i < specials.size(); i++) {
            int id = baseSize + i;
            tokens[id] = specials.get(i);
            special[id] = true;
            bytesById[id] = specials.get(i).getBytes(StandardCharsets.UTF_8);
            added.add(new AddedToken(id, specials.get(i), true, false, false));
        }
        Vocabulary vocabulary = new Vocabulary(tokens, special);
        OptionalInt bos = vocabulary.id(config.bosToken().orElse(Llama3Defaults.BOS));
        OptionalInt eos = vocabulary.id(config.eosToken().orElse(Llama3Defaults.EOS));
        // Meta's reference starts every prompt with BOS; tokenizer_config.json may say otherwise.
        SpecialTokenWrapping wrapping = new SpecialTokenWrapping(new int[] {bos.orElseThrow()}, new int[0])
                .overriddenBy(config, bos, eos, configFile);
        SegmentEncoder segments = new TiktokenSegments(file.toString(),
                HfRegex.compileCoveringGaps(Llama3Defaults.PATTERN, file + " (Llama 3 regex)"), ranks, false);
        return new BpeTokenizer(new BpeTokenizer.Parts(vocabulary, new AddedTokenSplitter(added), segments, wrapping,
                new TokenDecoder(vocabulary, bytesById, ' ', 0), bos, eos,
                ChatTemplate.fromConfig(config, vocabulary, bos, eos)));
    }
}
