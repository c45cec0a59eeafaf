package dev.loraflow.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.Tape;
import dev.loraflow.core.autograd.Variable;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.Fixtures;
import dev.loraflow.model.data.DataRecord;
import dev.loraflow.model.data.Example;
import dev.loraflow.model.llama.InferenceSession;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.LoraFlowGate;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The training graph against the inference engine, and its gate gradient against central differences. */
class LlamaGraphTest {
    private ThreadPool pool;
    private LlamaModel model;
    private AdapterStack adapters;
    private int[] ids;

    @BeforeEach
    void load() {
        pool = new ThreadPool(2);
        Path base = Fixtures.dir("forward/gqa2");
        Path two = Fixtures.dir("lora/two_adapters");
        model = LlamaModel.load(base);
        adapters = AdapterStack.of(List.of(
                LoraAdapter.load("lang", two.resolve("a1"), model.config()),
                LoraAdapter.load("task", two.resolve("a2"), model.config())), model.config());
        ids = Fixtures.readIds(base.resolve("ids.txt"));
    }

    @AfterEach
    void close() {
        model.close();
        pool.close();
    }

    private static Example example(int[] ids, int promptLength) {
        boolean[] mask = new boolean[ids.length];
        for (int i = promptLength; i < ids.length; i++) {
            mask[i] = true;
        }
        return new Example(new DataRecord.PlainText(1, "test"), ids, mask, promptLength, false);
    }

    @Test
    void graphLogitsEqualInferenceLogitsForEverySequenceOfABatch() {
        LoraFlowGate gate = LoraFlowGate.random(adapters.names(), 2, model.config().hiddenSize(), 0.5f, 5);
        int[] shorter = Arrays.copyOf(ids, 7);
        TrainingBatch batch = TrainingBatch.of(List.of(example(ids, 3), example(shorter, 2)), 0);
        for (boolean recompute : new boolean[] {false, true}) {
            Variable logits = new LlamaGraph(model, new GateGraph(adapters, gate, false), recompute)
                    .logits(new Ops(Tape.notRecording(), pool), batch);
            int vocab = model.config().vocabSize();
            for (int[] seq : List.of(ids, shorter)) {
                int row = seq == ids ? 0 : 1;
                float[] expected = new InferenceSession(model, seq.length, pool, new Fusion(adapters, gate)).forwardAll(seq);
                float[] actual = Arrays.copyOfRange(logits.data(), row * batch.seqLen() * vocab,
                        (row * batch.seqLen() + seq.length) * vocab);
                assertTrue(Fixtures.maxAbsDiff(expected, actual) < 1e-4, "sequence " + row + ", recompute " + recompute);
            }
        }
    }

    @Test
    void gateGradientMatchesCentralDifferences() {
        LoraFlowGate gate = LoraFlowGate.random(adapters.names(), 2, model.config().hiddenSize(), 0.3f, 9);
        TrainingBatch batch = TrainingBatch.of(List.of(example(ids, 4), example(Arrays.copyOf(ids, 9), 3)), 0);
        GateGraph graph = new GateGraph(adapters, gate, false);
        var result = CentralDifferences.compare(new LlamaGraph(model, graph, false), batch, graph.parameters(), 7, pool);
        assertTrue(result.maxGradient() > 1e-3, "the check must probe non-trivial gradients: " + result);
        assertTrue(result.agrees(), result.toString());
    }

    @Test
    void dropoutIsReplayedExactlyByRecomputationAndOffInEvaluation() {
        LoraFlowGate gate = LoraFlowGate.random(adapters.names(), 2, model.config().hiddenSize(), 0.3f, 9);
        TrainingBatch batch = TrainingBatch.of(List.of(example(ids, 4)), 0);
        float[][] grads = new float[2][];
        double[] losses = new double[2];
        for (int run = 0; run < 2; run++) {
            GateGraph graph = new GateGraph(adapters, gate, false, 0.3f);
            LlamaGraph llama = new LlamaGraph(model, graph, run == 1);
            Tape tape = new Tape();
            Variable loss = llama.trainingLoss(new Ops(tape, pool), batch, 1234L);
            tape.backward(loss);
            losses[run] = loss.item();
            grads[run] = graph.parameters().get(0).grad().clone();
            double evaluation = llama.loss(new Ops(Tape.notRecording(), pool), batch).item();
            double plain = new LlamaGraph(model, new GateGraph(adapters, gate, false), false)
                    .loss(new Ops(Tape.notRecording(), pool), batch).item();
            assertEquals(plain, evaluation, 0.0, "no dropout outside training");
            assertTrue(Math.abs(losses[run] - plain) > 1e-6, "dropout changes the training loss");
        }
        assertEquals(losses[0], losses[1], 0.0);
        assertArrayEquals(grads[0], grads[1], "a recomputed layer replays the same dropout masks");
    }

    @Test
    void staticGraphTrainsBiasesOnly() {
        GateGraph graph = new GateGraph(adapters, LoraFlowGate.initial(adapters.names(), 2, model.config().hiddenSize()), true);
        assertEquals(2, graph.parameters().size());
        assertTrue(graph.parameters().stream().allMatch(p -> p.name().endsWith("bias")));
    }
}
