package dev.loraflow.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.autograd.Parameter;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.Fixtures;
import dev.loraflow.model.data.DataRecord;
import dev.loraflow.model.data.Dataset;
import dev.loraflow.model.data.Example;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.Fusion;
import dev.loraflow.model.lora.LoraAdapter;
import dev.loraflow.model.lora.LoraFlowGate;
import dev.loraflow.model.lora.Projection;
import dev.loraflow.model.lora.StaticWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path tmp;

    private ThreadPool pool;
    private LlamaModel model;
    private AdapterStack adapters;

    @BeforeEach
    void load() {
        pool = new ThreadPool(2);
        Path two = Fixtures.dir("lora/two_adapters");
        model = LlamaModel.load(Fixtures.dir("forward/gqa2"));
        adapters = AdapterStack.of(List.of(
                LoraAdapter.load("lang", two.resolve("a1"), model.config()),
                LoraAdapter.load("task", two.resolve("a2"), model.config())), model.config());
    }

    @AfterEach
    void close() {
        model.close();
        pool.close();
    }

    /** A learnable toy task: after a random prompt, the response repeats the prompt's tokens shifted by one id. */
    private Dataset data(int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int promptLength = 3 + r.nextInt(3);
            int[] ids = new int[2 * promptLength + 1];
            boolean[] mask = new boolean[ids.length];
            ids[0] = 1;
            for (int t = 1; t <= promptLength; t++) {
                ids[t] = 4 + r.nextInt(30);
                ids[t + promptLength] = ids[t] + 1;
                mask[t + promptLength] = true;
            }
            examples.add(new Example(new DataRecord.PlainText(i + 1, "x"), ids, mask, promptLength + 1, false));
        }
        return new Dataset(tmp.resolve("data.jsonl"), examples);
    }

    private TrainingSettings settings(int epochs, float lr) {
        return new TrainingSettings(epochs, lr, 4, 0.2f, 0.1f, 1f, 0.9f, 0.95f, 1e-5f, 7L, false);
    }

    @Test
    void gateTrainingLowersTheLossAndIsDeterministic() {
        LoraFlowGate[] results = new LoraFlowGate[2];
        for (int run = 0; run < 2; run++) {
            GateGraph gate = new GateGraph(adapters, LoraFlowGate.initial(adapters.names(), 2, 32), false, 0.1f);
            Trainer trainer = new Trainer(new LlamaGraph(model, gate, false), gate.parameters(), pool, 0);
            Dataset train = data(24, 1);
            double before = trainer.evaluate(train, 4);
            Trainer.Result result = trainer.train(train, null, settings(6, 5e-2f), TrainingListener.SILENT);
            double after = trainer.evaluate(train, 4);
            assertTrue(after < before - 0.01, "training loss " + before + " -> " + after);
            assertEquals(36, result.steps());
            results[run] = gate.snapshot();
        }
        for (int l = 0; l < 2; l++) {
            assertArrayEquals(results[0].weight(l), results[1].weight(l), "same seed and data give the same gate");
            assertArrayEquals(results[0].bias(l), results[1].bias(l));
        }
    }

    @Test
    void devSelectionKeepsTheBestEpochAndMatchesInference() {
        GateGraph gate = new GateGraph(adapters, LoraFlowGate.initial(adapters.names(), 2, 32), false);
        LlamaGraph graph = new LlamaGraph(model, gate, true);
        Trainer trainer = new Trainer(graph, gate.parameters(), pool, 0);
        Dataset dev = data(8, 2);
        List<Double> devLosses = new ArrayList<>();
        Trainer.Result result = trainer.train(data(16, 3), dev, settings(3, 5e-2f), new TrainingListener() {
            @Override
            public void step(Step step) { }

            @Override
            public void epochEnded(int epoch, double trainLoss, double devLoss) {
                devLosses.add(devLoss);
            }
        });
        assertEquals(devLosses.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), result.bestDevLoss(), 1e-12);
        assertEquals(result.bestDevLoss(), trainer.evaluate(dev, 4), 1e-5, "the kept gate is the best epoch's");
        // the saved gate run by the inference engine gives the same dev loss as the training graph
        LoraFlowGate saved = gate.snapshot();
        double inference = InferenceLoss.mean(model, new Fusion(adapters, saved), dev, pool);
        assertEquals(result.bestDevLoss(), inference, 1e-4);
    }

    @Test
    void staticTrainingMovesOnlyTheBiases() {
        GateGraph gate = new GateGraph(adapters, LoraFlowGate.initial(adapters.names(), 2, 32), true);
        new Trainer(new LlamaGraph(model, gate, false), gate.parameters(), pool, 0)
                .train(data(8, 4), null, settings(2, 5e-2f), TrainingListener.SILENT);
        LoraFlowGate trained = gate.snapshot();
        for (int l = 0; l < 2; l++) {
            assertArrayEquals(new float[2 * 32], trained.weight(l));
            assertTrue(Math.abs(trained.bias(l)[0] + 0.5f) > 1e-4, "the bias must have moved");
        }
    }

    @Test
    void loraTrainingWritesAPeftAdapterThatLowersTheLoss() {
        LoraGraph lora = new LoraGraph(model.config(), 4, 8f, false, EnumSet.of(Projection.Q, Projection.V, Projection.DOWN), 5);
        Trainer trainer = new Trainer(new LlamaGraph(model, lora, false), lora.parameters(), pool, 0);
        Dataset train = data(24, 6);
        double before = trainer.evaluate(train, 4);
        trainer.train(train, null, settings(6, 2e-2f), TrainingListener.SILENT);
        double after = trainer.evaluate(train, 4);
        assertTrue(after < before - 0.05, "loss " + before + " -> " + after);
        Path out = tmp.resolve("adapter");
        PeftAdapterWriter.write(lora, "gqa2", out);
        LoraAdapter loaded = LoraAdapter.load("new", out, model.config());
        double viaEngine = InferenceLoss.mean(model,
                new Fusion(AdapterStack.of(List.of(loaded), model.config()), StaticWeights.allOnes(2, 1)), train, pool);
        assertEquals(after, viaEngine, 1e-4, "the written adapter, loaded as PEFT, computes what was trained");
    }

    @Test
    void loraGradientMatchesCentralDifferences() {
        LoraGraph lora = new LoraGraph(model.config(), 2, 4f, true, EnumSet.allOf(Projection.class), 8);
        SplittableRandom r = new SplittableRandom(3);
        for (Parameter p : lora.parameters()) { // B = 0 at the start would zero A's gradient: randomise both
            for (int i = 0; i < p.data().length; i++) {
                p.data()[i] = (float) ((r.nextDouble() - 0.5) * 0.4);
            }
        }
        TrainingBatch batch = TrainingBatch.of(data(2, 9).examples(), 0);
        var result = CentralDifferences.compare(new LlamaGraph(model, lora, false), batch, lora.parameters().subList(0, 10), 11, pool);
        assertTrue(result.maxGradient() > 1e-3, "probe non-trivial gradients: " + result);
        assertTrue(result.agrees(), result.toString());
    }

    @Test
    void nonFiniteLossStopsTraining() {
        GateGraph gate = new GateGraph(adapters, LoraFlowGate.initial(adapters.names(), 2, 32), false);
        gate.parameters().get(1).data()[0] = Float.NaN;
        Trainer trainer = new Trainer(new LlamaGraph(model, gate, false), gate.parameters(), pool, 0);
        LoraflowException e = assertThrows(LoraflowException.class,
                () -> trainer.train(data(4, 1), null, settings(1, 1e-2f), TrainingListener.SILENT));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }
}
