package dev.loraflow.model.train;

import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.autograd.Ops;
import dev.loraflow.core.autograd.Parameter;
import dev.loraflow.core.autograd.Tape;
import dev.loraflow.core.autograd.TransposeCache;
import dev.loraflow.core.autograd.Variable;
import dev.loraflow.kernels.ThreadPool;
import dev.loraflow.model.data.Dataset;
import dev.loraflow.model.data.Example;
import java.util.List;
import java.util.Random;

/**
 * Trains the parameters of an {@link AdapterGraph} through a {@link LlamaGraph}: shuffled batches (the same seed
 * gives the same order and so the same result), mean token cross-entropy on the response tokens, global-norm
 * clipping, AdamW on a cosine schedule. With a dev set it measures dev loss after every epoch and ends with the
 * parameters of the best epoch. A NaN or infinite loss or gradient stops training with a clear message.
 */
public final class Trainer {
    private final LlamaGraph graph;
    private final List<Parameter> parameters;
    private final ThreadPool pool;
    private final int padId;
    private final TransposeCache transposes = new TransposeCache();

    public Trainer(LlamaGraph graph, List<Parameter> parameters, ThreadPool pool, int padId) {
        this.graph = graph;
        this.parameters = List.copyOf(parameters);
        this.pool = pool;
        this.padId = padId;
    }

    public record Result(double firstLoss, double lastEpochLoss, double bestDevLoss, int bestEpoch, int steps,
                         long tokens, double seconds) {}

    public Result train(Dataset train, Dataset dev, TrainingSettings s, TrainingListener listener) {
        if (train.size() == 0) {
            throw new LoraflowException(train.file() + ": no training examples");
        }
        int batchesPerEpoch = (train.size() + s.batchSize() - 1) / s.batchSize();
        int totalSteps = batchesPerEpoch * s.epochs();
        CosineSchedule schedule = CosineSchedule.withWarmupFraction(s.learningRate(), totalSteps, s.warmupFraction());
        AdamW adam = new AdamW(parameters, s.beta1(), s.beta2(), s.eps());
        Random order = new Random(s.seed());
        Random noise = new Random(s.seed() + 1); // dropout masks, independent of the data order
        listener.started(totalSteps, train.size());
        long start = System.nanoTime();
        long tokens = 0;
        int step = 0;
        double firstLoss = Double.NaN;
        double lastEpochLoss = Double.NaN;
        double bestDev = Double.POSITIVE_INFINITY;
        int bestEpoch = -1;
        float[][] best = null;
        for (int epoch = 1; epoch <= s.epochs(); epoch++) {
            double weighted = 0;
            long counted = 0;
            for (List<Example> examples : train.batches(s.batchSize(), order)) {
                TrainingBatch batch = TrainingBatch.of(examples, padId);
                if (batch.countedTokens() == 0) {
                    continue; // nothing to learn from (all responses truncated away)
                }
                parameters.forEach(Parameter::zeroGrad);
                Tape tape = new Tape();
                Variable loss = graph.trainingLoss(new Ops(tape, pool, transposes), batch, noise.nextLong());
                double value = loss.item();
                if (!Double.isFinite(value)) {
                    throw new LoraflowException("the training loss became " + value + " at step " + (step + 1)
                            + "; training stopped — lower --lr, or check the data and adapters");
                }
                tape.backward(loss);
                double norm = GradientClipping.clip(parameters, s.maxGradNorm());
                float lr = schedule.learningRate(step);
                adam.step(lr, s.weightDecay());
                step++;
                tokens += batch.sequences() * (long) batch.seqLen();
                weighted += value * batch.countedTokens();
                counted += batch.countedTokens();
                firstLoss = Double.isNaN(firstLoss) ? value : firstLoss;
                double seconds = (System.nanoTime() - start) / 1e9;
                listener.step(new TrainingListener.Step(step, totalSteps, epoch, value, lr, norm, tokens, tokens / seconds));
            }
            lastEpochLoss = weighted / Math.max(1, counted);
            double devLoss = dev == null ? Double.NaN : evaluate(dev, s.batchSize());
            if (dev != null && devLoss < bestDev) {
                bestDev = devLoss;
                bestEpoch = epoch;
                best = snapshot();
            }
            listener.epochEnded(epoch, lastEpochLoss, devLoss);
        }
        if (best != null) {
            restore(best);
        }
        return new Result(firstLoss, lastEpochLoss, bestDev, bestEpoch, step, tokens, (System.nanoTime() - start) / 1e9);
    }

    /** Mean response-token loss over a data set, without recording anything. */
    public double evaluate(Dataset data, int batchSize) {
        double weighted = 0;
        long counted = 0;
        for (List<Example> examples : data.batches(batchSize, null)) {
            TrainingBatch batch = TrainingBatch.of(examples, padId);
            if (batch.countedTokens() == 0) {
                continue;
            }
            weighted += graph.loss(new Ops(Tape.notRecording(), pool), batch).item() * batch.countedTokens();
            counted += batch.countedTokens();
        }
        if (counted == 0) {
            throw new LoraflowException(data.file() + ": no response tokens to evaluate");
        }
        return weighted / counted;
    }

    private float[][] snapshot() {
        return parameters.stream().map(p -> p.data().clone()).toArray(float[][]::new);
    }

    private void restore(float[][] values) {
        for (int i = 0; i < values.length; i++) {
            System.arraycopy(values[i], 0, parameters.get(i).data(), 0, values[i].length);
        }
    }
}
