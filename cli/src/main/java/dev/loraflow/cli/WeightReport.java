package dev.loraflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraflow.core.io.AtomicFiles;
import dev.loraflow.model.lora.WeightTrace;
import dev.loraflow.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** Shows recorded per-token fusion weights: a compact table, or a JSON file for plotting. */
final class WeightReport {
    private final List<String> adapters;
    private final int[] ids;
    private final WeightTrace trace;
    private final Tokenizer tokenizer;

    /** @param ids the tokens fed, in order (the trace's rows) */
    WeightReport(List<String> adapters, int[] ids, WeightTrace trace, Tokenizer tokenizer) {
        this.adapters = adapters;
        this.ids = ids;
        this.trace = trace;
        this.tokenizer = tokenizer;
    }

    private int rows() {
        return Math.min(ids.length, trace.size());
    }

    /** The vocabulary entry (e.g. "▁time", "<0x0A>"), which shows word starts that a decoded piece would hide. */
    private String tokenText(int id) {
        return tokenizer.tokenText(id).replace("\n", "\\n").replace("\t", "\\t");
    }

    /** One row per token: its text, the layer-averaged weight of each adapter, and the adapter it leaned on most. */
    void printTable(PrintWriter out) {
        StringBuilder header = new StringBuilder(String.format("%5s  %-16s", "pos", "token"));
        for (String a : adapters) {
            header.append(String.format(" %8s", a.length() > 8 ? a.substring(0, 8) : a));
        }
        out.println(header.append("  leans on"));
        for (int t = 0; t < rows(); t++) {
            float[] avg = trace.layerAverage(t);
            String text = tokenText(ids[t]);
            StringBuilder row = new StringBuilder(String.format("%5d  %-16s", t, "'" + (text.length() > 14 ? text.substring(0, 14) : text) + "'"));
            int best = 0;
            for (int i = 0; i < avg.length; i++) {
                row.append(String.format(" %8.3f", avg[i]));
                best = avg[i] > avg[best] ? i : best;
            }
            out.println(row.append("  ").append(adapters.get(best)));
        }
        out.flush();
    }

    /** {"adapters": [...], "tokens": [...], "ids": [...], "weights": [token][layer][adapter]} written atomically. */
    void writeJson(Path file) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        adapters.forEach(root.putArray("adapters")::add);
        ArrayNode tokens = root.putArray("tokens");
        ArrayNode idArray = root.putArray("ids");
        ArrayNode weights = root.putArray("weights");
        for (int t = 0; t < rows(); t++) {
            tokens.add(tokenizer.decode(new int[] {ids[t]}, false));
            idArray.add(ids[t]);
            ArrayNode layers = weights.addArray();
            for (float[] layer : trace.token(t)) {
                ArrayNode row = layers.addArray();
                for (float w : layer) {
                    row.add(w);
                }
            }
        }
        AtomicFiles.writeString(file, root.toString());
    }
}
