package dev.loraflow.model.eval;

import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * Draws per-token fusion weights as a self-contained HTML page (inline SVG; no script, font or URL outside
 * the file): tokens across, layers down. With two adapters one diverging map of {@code w[1] - w[0]} (which
 * adapter a token leans on); otherwise one sequential map per adapter. Every cell's numbers are in its
 * SVG {@code <title>} tooltip.
 */
public final class WeightHeatmap {
    private static final int CELL_W = 22;
    private static final int CELL_H = 18;
    private static final int LEFT = 74;
    private static final int RIGHT = 24;
    private static final int PAGE_TITLE_H = 26;
    private static final int TITLE_H = 30;
    /** Rough advance of one character at the label and title font sizes, for sizing the drawing. */
    private static final double CHAR_W = 7;
    private static final int LEGEND_H = 58;
    private static final int LABEL_CHARS = 12;

    private final TraceFile trace;

    public WeightHeatmap(TraceFile trace) {
        this.trace = trace;
    }

    public String html(String title) {
        List<Panel> panels = panels();
        int width = (int) Math.max(LEFT + trace.tokens().size() * CELL_W + RIGHT, LEFT + CHAR_W * title.length() + RIGHT);
        int panelHeight = TITLE_H + labelsHeight() + trace.layers() * CELL_H + LEGEND_H;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n",
                width, PAGE_TITLE_H + panelHeight * panels.size()));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"13\" fill=\"#444\">%s</text>%n",
                LEFT, escape(title)));
        for (int p = 0; p < panels.size(); p++) {
            drawPanel(svg, panels.get(p), PAGE_TITLE_H + p * panelHeight, p);
        }
        svg.append("</svg>\n");
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>\n"
                + "<style>body{margin:0;background:#fff}</style></head>\n<body>\n" + svg + "</body></html>\n";
    }

    /** Room for the column labels, rotated by 60 degrees. */
    private int labelsHeight() {
        int longest = trace.tokens().stream().mapToInt(t -> label(t).length()).max().orElse(1);
        return (int) (12 + CHAR_W * longest * Math.sin(Math.toRadians(60)));
    }

    /** What one heatmap shows: a value per (token, layer), its colour scale and the legend's ends. */
    private record Panel(String heading, Value value, double low, double high, DoubleFunction<String> colour,
                         String lowLabel, String highLabel) {}

    @FunctionalInterface
    private interface Value {
        double at(float[] adapterWeights);
    }

    private List<Panel> panels() {
        List<String> names = trace.adapters();
        if (names.size() == 2) {
            Value diff = w -> w[1] - w[0];
            double[] r = range(diff);
            double span = Math.max(1e-6, Math.max(Math.abs(r[0]), Math.abs(r[1])));
            return List.of(new Panel("w[" + names.get(1) + "] \u2212 w[" + names.get(0) + "] per token and layer", diff,
                    -span, span, v -> diverging(v / span), "leans on " + names.get(0), "leans on " + names.get(1)));
        }
        return java.util.stream.IntStream.range(0, names.size()).mapToObj(i -> {
            Value v = w -> w[i];
            double[] r = range(v);
            double low = r[0];
            double high = Math.max(r[1], low + 1e-6);
            return new Panel("w[" + names.get(i) + "] per token and layer", v, low, high,
                    x -> sequential((x - low) / (high - low)), "low", "high");
        }).toList();
    }

    /** {min, max} of a value over every token and layer. */
    private double[] range(Value v) {
        double[] r = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (float[][] token : trace.weights()) {
            for (float[] layer : token) {
                r[0] = Math.min(r[0], v.at(layer));
                r[1] = Math.max(r[1], v.at(layer));
            }
        }
        return r;
    }

    private void drawPanel(StringBuilder svg, Panel panel, int top, int index) {
        List<String> tokens = trace.tokens();
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                LEFT, top + 20, escape(panel.heading())));
        int gridTop = top + TITLE_H + labelsHeight();
        for (int t = 0; t < tokens.size(); t++) {
            int x = LEFT + t * CELL_W + CELL_W / 2 + 4;
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" transform=\"rotate(-60 %d %d)\"><title>%s</title>%s</text>%n",
                    x, gridTop - 4, x, gridTop - 4, escape("#" + t + " " + quoted(tokens.get(t))), escape(label(tokens.get(t)))));
        }
        for (int l = 0; l < trace.layers(); l++) {
            int y = gridTop + l * CELL_H;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">layer %d</text>%n",
                    LEFT - 6, y + CELL_H - 5, l));
            for (int t = 0; t < tokens.size(); t++) {
                float[] w = trace.weights()[t][l];
                svg.append(String.format(Locale.ROOT,
                        "<rect class=\"cell\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>%n",
                        LEFT + t * CELL_W, y, CELL_W, CELL_H, panel.colour().apply(panel.value().at(w)),
                        escape(tooltip(t, l, w))));
            }
        }
        drawLegend(svg, panel, gridTop + trace.layers() * CELL_H + 14, index);
    }

    private void drawLegend(StringBuilder svg, Panel panel, int y, int index) {
        int width = 220;
        String id = "legend" + index;
        svg.append("<defs><linearGradient id=\"").append(id).append("\">");
        for (int s = 0; s <= 10; s++) {
            double v = panel.low() + (panel.high() - panel.low()) * s / 10;
            svg.append(String.format(Locale.ROOT, "<stop offset=\"%d%%\" stop-color=\"%s\"/>", s * 10, panel.colour().apply(v)));
        }
        svg.append("</linearGradient></defs>\n");
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"12\" fill=\"url(#%s)\" stroke=\"#888\"/>%n", LEFT, y, width, id));
        String[] anchors = {"start", "middle", "end"};
        for (int i = 0; i < anchors.length; i++) {
            double f = i / 2.0;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\">%.3f</text>%n",
                    LEFT + Math.round(width * f), y + 26, anchors[i], panel.low() + (panel.high() - panel.low()) * f));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">\u2190 %s</text>%n", LEFT, y + 41, escape(panel.lowLabel())));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s \u2192</text>%n",
                LEFT + width, y + 41, escape(panel.highLabel())));
    }

    private String tooltip(int t, int l, float[] w) {
        StringBuilder s = new StringBuilder("#" + t + " " + quoted(trace.tokens().get(t)) + ", layer " + l);
        for (int i = 0; i < w.length; i++) {
            s.append(String.format(Locale.ROOT, "%n%s = %.4f", trace.adapters().get(i), w[i]));
        }
        return s.toString();
    }

    private static String quoted(String token) {
        return "'" + token.replace("\n", "\\n").replace("\t", "\\t") + "'";
    }

    /** A short visible column label: whitespace made visible, long tokens cut. */
    private static String label(String token) {
        String visible = token.replace("\n", "\u21b5").replace("\t", "\u21e5").strip();
        if (visible.isEmpty()) {
            visible = "\u2423";
        }
        return visible.length() > LABEL_CHARS ? visible.substring(0, LABEL_CHARS - 1) + "\u2026" : visible;
    }

    /** -1 blue, 0 white, +1 red (ColorBrewer RdBu ends). */
    private static String diverging(double v) {
        double c = Math.max(-1, Math.min(1, v));
        int[] end = c < 0 ? new int[] {33, 102, 172} : new int[] {178, 24, 43};
        return mix(new int[] {247, 247, 247}, end, Math.abs(c));
    }

    /** 0 near white, 1 dark blue. */
    private static String sequential(double v) {
        return mix(new int[] {247, 251, 255}, new int[] {8, 48, 107}, Math.max(0, Math.min(1, v)));
    }

    private static String mix(int[] from, int[] to, double f) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", Math.round(from[0] + (to[0] - from[0]) * f),
                Math.round(from[1] + (to[1] - from[1]) * f), Math.round(from[2] + (to[2] - from[2]) * f));
    }

    static String escape(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> s.append("&amp;");
                case '<' -> s.append("&lt;");
                case '>' -> s.append("&gt;");
                case '"' -> s.append("&quot;");
                case '\'' -> s.append("&#39;");
                default -> s.append(c < 0x20 && c != '\n' && c != '\t' ? "\uFFFD" : String.valueOf(c));
            }
        }
        return s.toString();
    }
}
