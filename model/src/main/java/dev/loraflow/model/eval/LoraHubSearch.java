package dev.loraflow.model.eval;

import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;
import org.apache.commons.math3.optim.univariate.BrentOptimizer;
import org.apache.commons.math3.optim.univariate.SearchInterval;
import org.apache.commons.math3.optim.univariate.UnivariateObjectiveFunction;

/**
 * The LoRA-Hub baseline: one weight per adapter, searched without gradients to minimise
 * {@code loss(w) + 0.05 · mean|w|}, with w bounded to [-1.5, 1.5] and starting at 0.
 *
 * <p>The original uses nevergrad's NGOpt; here it is Commons Math's BOBYQA (bounded, deterministic, few
 * evaluations for a handful of dimensions; it starts by probing ±0.5 along each axis). BOBYQA needs at least two
 * dimensions, so a single adapter is searched with Brent's method on [-1.5, 1.5] from 0. The optimisers stop
 * when the budget runs out; the best point evaluated so far is the result, so it is never worse than the start.
 */
public final class LoraHubSearch {
    public static final double BOUND = 1.5;
    public static final double L1_PENALTY = 0.05;
    private static final double INITIAL_RADIUS = 0.5;
    private static final double STOPPING_RADIUS = 1e-3;

    /** Told about every evaluation, in order (1-based). */
    public interface Listener {
        void evaluated(int evaluation, double[] weights, double loss, double objective);
    }

    /** The best weights found, their loss and objective, and the objective at the start point 0. */
    public record Result(double[] weights, double loss, double objective, double startObjective, int evaluations) {}

    private final ToDoubleFunction<double[]> loss;
    private final int adapters;
    private final int budget;
    private final Listener listener;

    /** @param loss the mean loss on the examples for a weight vector (one entry per adapter) */
    public LoraHubSearch(ToDoubleFunction<double[]> loss, int adapters, int budget, Listener listener) {
        if (adapters < 1) {
            throw new IllegalArgumentException("the search needs at least one adapter");
        }
        int least = adapters == 1 ? 2 : 2 * adapters + 2;
        if (budget < least) {
            throw new IllegalArgumentException("--budget " + budget + " is too small for " + adapters
                    + " adapter(s); give at least " + least + " evaluations");
        }
        this.loss = loss;
        this.adapters = adapters;
        this.budget = budget;
        this.listener = listener;
    }

    public static double objective(double loss, double[] w) {
        double sum = 0;
        for (double v : w) {
            sum += Math.abs(v);
        }
        return loss + L1_PENALTY * sum / w.length;
    }

    public Result run() {
        Tracker tracker = new Tracker();
        try {
            if (adapters == 1) {
                new BrentOptimizer(1e-6, 1e-4).optimize(new MaxEval(budget), GoalType.MINIMIZE,
                        new UnivariateObjectiveFunction(x -> tracker.value(new double[] {x})),
                        new SearchInterval(-BOUND, BOUND, 0));
            } else {
                double[] lower = new double[adapters];
                double[] upper = new double[adapters];
                java.util.Arrays.fill(lower, -BOUND);
                java.util.Arrays.fill(upper, BOUND);
                new BOBYQAOptimizer(2 * adapters + 1, INITIAL_RADIUS, STOPPING_RADIUS).optimize(new MaxEval(budget),
                        GoalType.MINIMIZE, new ObjectiveFunction(tracker::value), new InitialGuess(new double[adapters]),
                        new SimpleBounds(lower, upper));
            }
        } catch (TooManyEvaluationsException budgetSpent) {
            // expected with a small budget: keep the best point seen
        }
        if (tracker.count == 0 || Double.isNaN(tracker.startObjective)) {
            tracker.value(new double[adapters]);
        }
        return new Result(tracker.best, tracker.bestLoss, tracker.bestObjective, tracker.startObjective, tracker.count);
    }

    /** Evaluates the objective, reports it, and remembers the best point and the start point's value. */
    private final class Tracker {
        double[] best;
        double bestLoss = Double.NaN;
        double bestObjective = Double.POSITIVE_INFINITY;
        double startObjective = Double.NaN;
        int count;

        double value(double[] w) {
            double[] clamped = w.clone();
            boolean atStart = true;
            for (int i = 0; i < clamped.length; i++) {
                clamped[i] = Math.max(-BOUND, Math.min(BOUND, clamped[i]));
                atStart &= clamped[i] == 0;
            }
            double l = loss.applyAsDouble(clamped);
            double objective = objective(l, clamped);
            count++;
            if (atStart && Double.isNaN(startObjective)) {
                startObjective = objective;
            }
            if (objective < bestObjective || best == null) {
                best = clamped;
                bestLoss = l;
                bestObjective = objective;
            }
            listener.evaluated(count, clamped, l, objective);
            return objective;
        }
    }
}
