package dev.loraflow.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.testing.SharedData;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {

    @Test
    void llama3TemplateRendersSystemUserAssistant() {
        Tokenizer tokenizer = ReferenceTokenizers.llama3();
        ChatTemplate template = tokenizer.chatTemplate().orElseThrow();
        String rendered = template.render(List.of(
                new ChatMessage("system", "You are a helpful assistant."),
                new ChatMessage("user", "  What is 2+2?\n"),
                new ChatMessage("assistant", "4")), true);
        // Written from the template: bos_token before the first message, each message as
        // header + "\n\n" + content|trim + <|eot_id|>, then (unconditionally) the assistant header.
        String expected = "<|begin_of_text|>"
                + "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n";
        assertEquals(expected, rendered);
        // The shared template ignores add_generation_prompt and always ends with the assistant header.
        assertEquals(expected, template.render(List.of(
                new ChatMessage("system", "You are a helpful assistant."),
                new ChatMessage("user", "What is 2+2?"),
                new ChatMessage("assistant", "4")), false));
    }

    @Test
    void renderedChatEncodesWithSpecialTokenIds() {
        Tokenizer tokenizer = ReferenceTokenizers.llama3();
        String rendered = tokenizer.chatTemplate().orElseThrow().render(List.of(new ChatMessage("user", "Hello world")), true);
        int[] ids = tokenizer.encode(rendered, false, true);
        // <|begin_of_text|> <|start_header_id|> user <|end_header_id|> "\n\n" Hello world <|eot_id|> ...
        assertEquals(128000, ids[0]);
        assertEquals(128006, ids[1]);
        assertEquals(882, ids[2]);
        assertEquals(128007, ids[3]);
        assertEquals(271, ids[4]);
        assertEquals(9906, ids[5]);
        assertEquals(1917, ids[6]);
        assertEquals(128009, ids[7]);
    }

    @Test
    void jinjaFeaturesTransformersTemplatesUse() {
        ChatTemplate template = new ChatTemplate("""
                {% for message in messages %}
                    {% if loop.first and message['role'] != 'system' %}{{ raise_exception('first must be system') }}{% endif %}
                    {{ message.role ~ ':' ~ message['content'] | upper }}
                {% endfor %}
                {% if add_generation_prompt %}{{ eos_token }}{% endif %}""", "<s>", "</s>");
        // trim_blocks drops the newline after each block tag, lstrip_blocks the indent before block
        // tags only, so the {{ }} line keeps its four spaces, as in transformers.
        assertEquals("    system:HI\n</s>", template.render(List.of(new ChatMessage("system", "hi")), true));
        TokenizerException e = assertThrows(TokenizerException.class,
                () -> template.render(List.of(new ChatMessage("user", "hi")), false));
        assertTrue(e.getMessage().contains("first must be system"), e.getMessage());
    }

    @Test
    void strftimeNowUsesPythonDirectives() {
        ZonedDateTime time = ZonedDateTime.of(2024, 7, 26, 9, 5, 0, 0, ZoneOffset.UTC);
        assertEquals("26 Jul 2024", ChatTemplateFunctions.strftime(time, "%d %b %Y"));
        assertEquals("2024-07-26 09:05 100%", ChatTemplateFunctions.strftime(time, "%Y-%m-%d %H:%M 100%%"));
        ChatTemplate template = new ChatTemplate("{{ strftime_now('%Y') }}", "", "");
        assertEquals(String.valueOf(ZonedDateTime.now().getYear()), template.render(List.of(), false));
    }
}
