package dev.loraflow.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The search on losses whose minimum is known in closed form. */
class LoraHubSearchTest {
    @Test
    void twoAdaptersFindTheMinimumOfAQuadraticWithinBudget() {
        List<double[]> seen = new ArrayList<>();
        LoraHubSearch.Result r = new LoraHubSearch(w -> sq(w[0] - 0.6) + sq(w[1] + 0.4), 2, 40,
                (n, w, loss, objective) -> seen.add(w.clone())).run();
        // Minimum of (w0-0.6)^2 + (w1+0.4)^2 + 0.025(|w0| + |w1|): each coordinate shrinks by 0.0125 toward 0.
        assertEquals(0.5875, r.weights()[0], 0.02);
        assertEquals(-0.3875, r.weights()[1], 0.02);
        assertTrue(r.evaluations() <= 40 && seen.size() == r.evaluations());
        assertEquals(0, seen.getFirst()[0]);
        assertEquals(0, seen.getFirst()[1], "the search starts at 0");
        assertEquals(0.52, r.startObjective(), 1e-12);
    }

    @Test
    void weightsStayInBounds() {
        LoraHubSearch.Result r = new LoraHubSearch(w -> sq(w[0] - 3) + sq(w[1] + 3) + sq(w[2]), 3, 40, (n, w, l, o) -> {
            for (double v : w) {
                assertTrue(Math.abs(v) <= LoraHubSearch.BOUND, "weight " + v + " out of bounds");
            }
        }).run();
        assertEquals(1.5, r.weights()[0], 0.05);
        assertEquals(-1.5, r.weights()[1], 0.05);
    }

    @Test
    void oneAdapterUsesALineSearch() {
        LoraHubSearch.Result r = new LoraHubSearch(w -> sq(w[0] + 0.9), 1, 30, (n, w, l, o) -> {}).run();
        assertEquals(-0.875, r.weights()[0], 1e-3);
        assertTrue(r.objective() <= r.startObjective());
    }

    @Test
    void theResultIsNeverWorseThanTheStartEvenWhenTheBudgetEndsEarly() {
        // A loss that is flat except for a narrow dip missed by the first probes.
        LoraHubSearch.Result r = new LoraHubSearch(w -> 1 - Math.exp(-sq(w[0] - 1.3) * 400), 2, 6, (n, w, l, o) -> {}).run();
        assertTrue(r.objective() <= r.startObjective());
        assertEquals(6, r.evaluations());
    }

    @Test
    void tooSmallABudgetIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LoraHubSearch(w -> 0, 2, 3, (n, w, l, o) -> {}));
        assertTrue(e.getMessage().contains("--budget 3"), e.getMessage());
    }

    private static double sq(double x) {
        return x * x;
    }
}
