package dev.loraflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loraflow.testing.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles the README's library example against the project and runs it, so the front door never lies. */
class ReadmeExampleTest {
    @Test
    void readmeExampleCompilesAndRuns(@TempDir Path tmp) throws Exception {
        Path model = SharedData.require("models/stories260K");
        String readme = Files.readString(Path.of("..", "README.md").toAbsolutePath().normalize());
        Matcher m = Pattern.compile("<!-- readme-example:start -->\\s*```java\\n(.*?)```\\s*<!-- readme-example:end -->",
                Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README must hold the marked Java example");
        Path source = tmp.resolve("Example.java");
        Files.writeString(source, m.group(1));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, "--add-modules", "jdk.incubator.vector",
                "-classpath", System.getProperty("java.class.path"), "-d", tmp.toString(), source.toString());
        assertEquals(0, status, "README example does not compile:\n" + diagnostics);

        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            loader.loadClass("Example").getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {model.toString()});
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith(", there was a little girl named Lily"), out);
        assertTrue(List.of(out.split("\n")).getLast().matches("32 tokens at \\d+ tok/s"), out);
    }
}
