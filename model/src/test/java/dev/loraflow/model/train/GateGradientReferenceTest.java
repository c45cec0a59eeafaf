package dev.loraflow.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.Parameter;
import dev.loraflow.core.autograd.Tape;
import dev.loraflow.core.autograd.Variable;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.Fixtures;
import dev.loraflow.model.data.DataRecord;
import dev.loraflow.model.data.Example;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.LoraFlowGate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gate gradient of the training graph against an independent float64 torch-autograd reference
 * ({@code src/test/python/make_gate_gradient_fixture.py}, fixture {@code fixtures/gate_gradient}): forward/gqa2
 * with adapters lang = two_adapters/a1 and task = two_adapters/a2, a random gate (τ = 1), two sequences of a
 * right-padded batch with prompt-masked losses, no dropout.
 */
class GateGradientReferenceTest {
    // Tolerances. The reference is float64 autograd over the same float32 weights, so the only error is the
    // engine's float32 arithmetic. The loss (≈ 6.7) is a mean of 14 log-softmaxes of logits of magnitude ≲ 10,
    // so its float32 rounding is ~1e-6 relative at most: 1e-5 relative leaves a margin (measured: 9e-8).
    // Each gradient element (|g| ≤ 1.2 here) sums over 14 targets × 12 positions of products through two
    // layers and attention; float32 rounding of the intermediates (≈ 6e-8 relative each, amplified through the
    // logits and the softmaxes) gives errors of order 1e-6–1e-5 absolute (measured: max 1.9e-6 absolute,
    // 3e-5 relative). 1e-4 absolute + 1e-3 relative is well above that and far below real mistakes: shifting
    // the loss masks by one position moves the reference gradients by up to 0.17, feeding the gate the
    // normed input instead of the residual input by up to 0.71 (both checked with the generator script).
    private static final double LOSS_REL = 1e-5;
    private static final double GRAD_ABS = 1e-4;
    private static final double GRAD_REL = 1e-3;

    @Test
    void lossAndGateGradientsMatchTheFloat64Reference() throws IOException {
        Path fixture = Fixtures.dir("gate_gradient");
        ObjectMapper json = new ObjectMapper();
        JsonNode batchJson = json.readTree(fixture.resolve("batch.json").toFile());
        JsonNode expected = json.readTree(fixture.resolve("expected.json").toFile());
        Path two = Fixtures.dir("lora/two_adapters");
        try (ThreadPool pool = new ThreadPool(2); LlamaModel model = LlamaModel.load(Fixtures.dir("forward/gqa2"))) {
            AdapterStack adapters = AdapterStack.of(List.of(
                    LoraAdapter.load("lang", two.resolve("a1"), model.config()),
                    LoraAdapter.load("task", two.resolve("a2"), model.config())), model.config());
            int layers = model.config().numLayers();
            int hidden = model.config().hiddenSize();
            LoraFlowGate gate = LoraFlowGate.load(fixture.resolve("gate.safetensors"), adapters.names(), layers, hidden);
            assertEquals(1f, gate.temperature());

            List<Example> examples = new ArrayList<>();
            for (JsonNode s : batchJson.get("sequences")) {
                int[] ids = ints(s.get("ids"));
                boolean[] mask = new boolean[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    mask[i] = s.get("loss_mask").get(i).asBoolean();
                }
                examples.add(new Example(new DataRecord.PlainText(1, "reference"), ids, mask,
                        s.get("prompt_length").asInt(), false));
            }
            TrainingBatch batch = TrainingBatch.of(examples, batchJson.get("pad_id").asInt());
            assertEquals(batchJson.get("seq_len").asInt(), batch.seqLen());
            assertEquals(batchJson.get("counted_targets").asInt(), batch.countedTokens());
            List<Integer> padded = new ArrayList<>();
            batchJson.get("padded_ids").forEach(row -> row.forEach(id -> padded.add(id.asInt())));
            assertArrayEquals(padded.stream().mapToInt(Integer::intValue).toArray(), batch.ids());

            GateGraph graph = new GateGraph(adapters, gate, false); // no dropout, as in the reference
            Tape tape = new Tape();
            Variable loss = new LlamaGraph(model, graph, false).loss(new Ops(tape, pool), batch);
            tape.backward(loss);

            double refLoss = expected.get("loss").asDouble();
            double lossRel = Math.abs(loss.item() - refLoss) / Math.abs(refLoss);
            assertTrue(lossRel < LOSS_REL, "loss " + loss.item() + " vs reference " + refLoss);

            List<Parameter> params = graph.parameters();
            assertEquals(2 * layers, params.size());
            int k = adapters.size();
            double maxAbs = 0;
            double maxRel = 0;
            double maxGrad = 0;
            for (int l = 0; l < layers; l++) {
                JsonNode layer = expected.get("layers").get(l);
                double[] refW = new double[k * hidden];
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < hidden; j++) {
                        refW[i * hidden + j] = layer.get("weight_grad").get(i).get(j).asDouble();
                    }
                }
                double[] refB = new double[k];
                for (int i = 0; i < k; i++) {
                    refB[i] = layer.get("bias_grad").get(i).asDouble();
                }
                Parameter w = params.get(2 * l);
                Parameter b = params.get(2 * l + 1);
                assertEquals("model.layers." + l + ".fusion_gate.weight", w.name());
                assertEquals("model.layers." + l + ".fusion_gate.bias", b.name());
                for (var pair : List.of(new Object[] {w, refW}, new Object[] {b, refB})) {
                    Parameter p = (Parameter) pair[0];
                    double[] ref = (double[]) pair[1];
                    float[] grad = p.grad();
                    assertEquals(ref.length, grad.length, p.name());
                    for (int i = 0; i < ref.length; i++) {
                        double err = Math.abs(grad[i] - ref[i]);
                        maxAbs = Math.max(maxAbs, err);
                        maxRel = Math.max(maxRel, err / Math.max(Math.abs(ref[i]), 1e-3));
                        maxGrad = Math.max(maxGrad, Math.abs(ref[i]));
                        assertTrue(err <= GRAD_ABS + GRAD_REL * Math.abs(ref[i]),
                                p.name() + "[" + i + "]: " + grad[i] + " vs reference " + ref[i]);
                    }
                }
            }
            assertTrue(maxGrad > 0.05, "the reference gradients must be non-trivial, max " + maxGrad);
            System.out.printf("gate gradient vs float64 reference: loss rel err %.3g, grad max abs err %.3g, "
                    + "max rel err (|ref| >= 1e-3) %.3g, max |grad| %.3g%n", lossRel, maxAbs, maxRel, maxGrad);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
