package dev.loraflow.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * tokenizer_config.json's {@code chat_template}, rendered with jinjava configured like
 * transformers' Jinja environment (trim_blocks, lstrip_blocks, Jinja's operator precedence) and
 * its helpers {@code raise_exception} and {@code strftime_now}.
 */
public final class ChatTemplate {
    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;

    ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = source;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUsePyishObjectMapper(true)
                        .build())
                .build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", ChatTemplateFunctions.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "strftime_now", ChatTemplateFunctions.class, "strftimeNow", String.class));
    }

    static Optional<ChatTemplate> fromConfig(TokenizerConfig config, Vocabulary vocabulary, OptionalInt bos, OptionalInt eos) {
        String bosText = bos.isPresent() ? vocabulary.token(bos.getAsInt()) : config.bosToken().orElse("");
        String eosText = eos.isPresent() ? vocabulary.token(eos.getAsInt()) : config.eosToken().orElse("");
        return config.chatTemplate().map(source -> new ChatTemplate(source, bosText, eosText));
    }

    /** The Jinja source, as tokenizer_config.json has it. */
    public String source() {
        return source;
    }

    /**
     * Renders the conversation as the model expects it. The result contains special-token text, so
     * encode it with {@code parseSpecial = true}.
     *
     * @param addGenerationPrompt end with the header that starts the assistant's reply
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> messageMaps = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            messageMaps.add(map);
        }
        Map<String, Object> bindings = new HashMap<>();
        bindings.put("messages", messageMaps);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        bindings.put("bos_token", bosToken);
        bindings.put("eos_token", eosToken);
        RenderResult result = jinjava.renderForResult(source, bindings);
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
                .toList();
        if (!fatal.isEmpty()) {
            throw new TokenizerException("the chat template of tokenizer_config.json failed: " + fatal.stream()
                    .map(e -> rootMessage(e) + " (line " + e.getLineno() + ")")
                    .collect(Collectors.joining("; ")));
        }
        return result.getOutput();
    }

    private static String rootMessage(TemplateError error) {
        Throwable cause = error.getException();
        while (cause != null && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause != null && cause.getMessage() != null ? cause.getMessage() : error.getMessage();
    }
}
