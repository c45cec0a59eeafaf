package dev.loraflow.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.Tape;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.Fixtures;
import dev.loraflow.model.data.DataRecord;
import dev.loraflow.model.data.Dataset;
import dev.loraflow.model.data.Example;
import dev.loraflow.model.llama.InferenceSession;
import dev.loraflow.model.llama.LlamaModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Full-weight training (pretraining a small base): gradients, learning, and the saved model in the engine. */
class FullTrainingTest {
    @TempDir
    Path tmp;

    private static Dataset sequences(Path file) {
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int[] ids = new int[10];
            boolean[] mask = new boolean[ids.length];
            ids[0] = 1;
            for (int t = 1; t < ids.length; t++) {
                ids[t] = 4 + (i + 3 * t) % 20; // a deterministic pattern a model can learn
                mask[t] = true;
            }
            examples.add(new Example(new DataRecord.PlainText(i + 1, "x"), ids, mask, 1, false));
        }
        return new Dataset(file, examples);
    }

    @Test
    void everyBaseWeightGetsTheCentralDifferenceGradient() {
        for (String fixture : List.of("mha", "gqa2")) { // tied and untied heads
            try (ThreadPool pool = new ThreadPool(2); LlamaModel model = LlamaModel.load(Fixtures.dir("forward/" + fixture))) {
                TrainableBase base = new TrainableBase(model);
                LlamaGraph graph = new LlamaGraph(model.config(), base, new NoAdapters(), false);
                TrainingBatch batch = TrainingBatch.of(sequences(tmp.resolve("d")).examples().subList(0, 2), 0);
                // about five probes per parameter tensor
                var result = CentralDifferences.compare(graph, batch, base.parameters(), -5, pool);
                assertTrue(result.maxGradient() > 1e-3, fixture + ": probe non-trivial gradients: " + result);
                assertTrue(result.agrees(), fixture + ": " + result);
            }
        }
    }

    @Test
    void pretrainingLearnsAndTheSavedModelRunsInTheEngine() throws Exception {
        Path source = Fixtures.dir("forward/mha");
        Path out = Files.createDirectories(tmp.resolve("trained"));
        Files.copy(source.resolve("config.json"), out.resolve("config.json"));
        Dataset data = sequences(tmp.resolve("data.jsonl"));
        try (ThreadPool pool = new ThreadPool(2); LlamaModel model = LlamaModel.load(source)) {
            TrainableBase base = new TrainableBase(model);
            LlamaGraph graph = new LlamaGraph(model.config(), base, new NoAdapters(), true);
            Trainer trainer = new Trainer(graph, base.parameters(), pool, 0);
            double before = trainer.evaluate(data, 4);
            trainer.train(data, null, new TrainingSettings(20, 1e-2f, 4, 0.1f, 0f, 1f, 0.9f, 0.95f, 1e-8f, 3, true),
                    TrainingListener.SILENT);
            double after = trainer.evaluate(data, 4);
            assertTrue(after < before * 0.5, "loss " + before + " -> " + after);
            base.save(out.resolve("model.safetensors"));
            int[] ids = data.examples().get(0).ids();
            float[] expected = graph.logits(new Ops(Tape.notRecording(), pool), TrainingBatch.of(data.examples().subList(0, 1), 0)).data();
            try (LlamaModel trained = LlamaModel.load(out)) {
                float[] actual = new InferenceSession(trained, ids.length, pool).forwardAll(ids);
                assertTrue(Fixtures.maxAbsDiff(Arrays.copyOf(expected, actual.length), actual) < 1e-4);
            }
        }
    }
}
