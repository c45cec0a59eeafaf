package dev.loraflow.model.tools;

import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.Parameter;
import dev.loraflow.core.autograd.Tape;
import dev.loraflow.core.autograd.TransposeCache;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.data.DataRecord;
import dev.loraflow.model.data.Example;
import dev.loraflow.model.llama.LlamaModel;
import dev.loraflow.model.lora.AdapterStack;
import dev.loraflow.model.lora.LoraFlowGate;
import dev.loraflow.model.train.GateGraph;
import dev.loraflow.model.train.LlamaGraph;
import dev.loraflow.model.train.TrainingBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Times gate training the way ../shared/tools/torch_bench.py does: two random rank-r adapters on all seven
 * projections, only the per-layer gates trainable, one forward + backward of a batch of random token ids with
 * loss on every token; the first repetition warms the JIT and is not counted.
 */
public final class TrainingBenchmark {
    /**
     * @param medianCpuSeconds the median over timed repetitions of the whole process's CPU time (all threads, JIT
     *                         and GC included): on a machine others are loading, work done rather than time waited
     */
    public record Result(int batch, int seqLen, double bestSeconds, double medianSeconds, long trainableParameters,
                         java.util.OptionalLong peakRssBytes, double medianCpuSeconds) {
        public double bestTokensPerSecond() {
            return batch * (double) seqLen / bestSeconds;
        }

        public double medianTokensPerSecond() {
            return batch * (double) seqLen / medianSeconds;
        }
    }

    private final int batch;
    private final int seqLen;
    private final int adapters;
    private final int rank;
    private final int repetitions;
    private final boolean recompute;

    public TrainingBenchmark(int batch, int seqLen, int adapters, int rank, int repetitions, boolean recompute) {
        this.batch = batch;
        this.seqLen = seqLen;
        this.adapters = adapters;
        this.rank = rank;
        this.repetitions = repetitions;
        this.recompute = recompute;
    }

    public Result run(Path modelDir, int threads) {
        try (LlamaModel model = LlamaModel.load(modelDir); ThreadPool pool = new ThreadPool(threads)) {
            var config = model.config();
            AdapterStack stack = AdapterStack.of(RandomAdapters.create(config, adapters, rank, 7), config);
            GateGraph gate = new GateGraph(stack, LoraFlowGate.initial(stack.names(), config.numLayers(), config.hiddenSize()), false);
            LlamaGraph graph = new LlamaGraph(model, gate, recompute);
            TrainingBatch data = TrainingBatch.of(randomExamples(config.vocabSize()), 0);
            double[] seconds = new double[repetitions];
            double[] cpu = new double[repetitions];
            TransposeCache transposes = new TransposeCache(); // filled in the untimed warm-up, as in training
            for (int rep = -1; rep < repetitions; rep++) {
                gate.parameters().forEach(Parameter::zeroGrad);
                long t0 = System.nanoTime();
                long c0 = processCpuNanos();
                Tape tape = new Tape();
                tape.backward(graph.loss(new Ops(tape, pool, transposes), data));
                if (rep >= 0) {
                    seconds[rep] = (System.nanoTime() - t0) / 1e9;
                    cpu[rep] = (processCpuNanos() - c0) / 1e9;
                }
            }
            Arrays.sort(seconds);
            Arrays.sort(cpu);
            long params = gate.parameters().stream().mapToLong(p -> p.data().length).sum();
            return new Result(batch, seqLen, seconds[0], seconds[repetitions / 2], params, ProcessMemory.peakResidentBytes(),
                    cpu[repetitions / 2]);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** B sequences of T random ids, every next token a target (the batch is B × T rows, as torch_bench's). */
    private List<Example> randomExamples(int vocab) {
        SplittableRandom random = new SplittableRandom(42);
        List<Example> examples = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            boolean[] mask = new boolean[seqLen];
            Arrays.fill(mask, 1, seqLen, true);
            examples.add(new Example(new DataRecord.PlainText(b + 1, ""), random.ints(seqLen, 0, vocab).toArray(), mask, 1, false));
        }
        return examples;
    }
}
