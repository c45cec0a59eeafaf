package dev.loraflow.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FinalNumberTest {
    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "The answer is 42.                  | 42",
        "-3.5                               | -3.5",
        "1,234                              | 1234",
        "no number                          | NONE",
        "''                                 | NONE",
        "She had 3 apples, then 5. So 8!    | 8",
        "It costs $1,234,567.89 in total    | 1234567.89",
        "x = -7                             | -7",
        "3-2 = 1, so 5-3                    | 3",
        "\u22124 degrees                    | -4",
        "+12                                | 12",
        "#### 72                            | 72",
        "about .5 of it                     | 0.5",
        "values 1,2                         | 2",
        "version2                           | 2",
        "50%                                | 50",
    })
    void extractsTheLastNumber(String text, String expected) {
        Optional<BigDecimal> got = FinalNumber.in(text);
        if (expected == null) {
            assertTrue(got.isEmpty(), text + " -> " + got);
        } else {
            assertTrue(got.isPresent(), text);
            assertEquals(0, new BigDecimal(expected).compareTo(got.get()), text + " -> " + got.get());
        }
    }

    @ParameterizedTest
    @CsvSource({"42, 42.0", "1234, 1234.00", "-0.5, -.5"})
    void comparesNumerically(String a, String b) {
        assertTrue(FinalNumber.same(FinalNumber.in(a).orElseThrow(), FinalNumber.in(b).orElseThrow()));
    }
}
