package dev.loraflow.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Entry point of {@code java -jar loraflow.jar}. The Vector API lives in an incubator module that
 * a jar manifest cannot add, so when it is missing from the boot layer the launcher starts the same
 * JVM binary again with {@code --add-modules jdk.incubator.vector}, passing the JVM options and
 * arguments through. This class must not touch the Vector API itself.
 *
 * <p>For commands that only run models forward ({@link #INFERENCE_COMMANDS}) the relaunched JVM also gets the serial
 * collector with a 16 MB young generation, unless the user sized the heap or chose a collector (see {@link #heapOptions}).
 */
public final class Launcher {
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String RELAUNCHED = "loraflow.relaunched";
    /** Commands that run a model forward only; training keeps the JVM's default heap sizing. */
    static final Set<String> INFERENCE_COMMANDS = Set.of("generate", "logits", "eval", "search-weights", "bench");
    /**
     * Until C2 has compiled the Vector API kernels, every vector operation is a heap object, so warm-up and the first
     * prefill allocate gigabytes of short-lived garbage. G1 answers by growing the young generation (and the heap,
     * drawing new eden regions from it) to hundreds of MB, all touched and resident: tinyllama-1.1b BF16 peaked at
     * 2.4-2.7 GB for 2.1 GB of weights. Once compiled, decode allocates nothing, so a small fixed young generation in
     * the serial collector (same pages reused every cycle, no per-region GC structures) costs nothing and keeps the
     * peak near weights + KV cache.
     */
    static final List<String> INFERENCE_HEAP = List.of("-XX:+UseSerialGC", "-Xmn16m");

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (Runtime.version().feature() < 25) {
            System.err.println("loraflow needs JDK 25 or newer; this is Java " + Runtime.version()
                    + ". Run it with a JDK 25 java, e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar "
                    + jarPath().orElse("cli/target/loraflow.jar"));
            System.exit(2);
        }
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) {
            System.exit(LoraflowCli.run(args));
        }
        List<String> command = relaunchCommand(args);
        if (Boolean.getBoolean(RELAUNCHED) || command == null) {
            System.err.println("loraflow needs the " + VECTOR_MODULE + " module. Run it as:");
            System.err.println("  java --add-modules " + VECTOR_MODULE + " -jar " + jarPath().orElse("cli/target/loraflow.jar") + " ...");
            System.exit(2);
        }
        Process child = new ProcessBuilder(command).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(child::destroy));
        System.exit(child.waitFor());
    }

    private static List<String> relaunchCommand(String[] args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String jar = jarPath().orElse(null);
        if (jar == null) {
            return null;
        }
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("--add-modules");
        command.add(VECTOR_MODULE);
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-D" + RELAUNCHED + "=true");
        List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
        command.addAll(heapOptions(jvmOptions, args));
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(jar);
        command.add(LoraflowCli.class.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** {@link #INFERENCE_HEAP} for an inference command when no JVM option sizes the heap or picks a GC, else nothing. */
    static List<String> heapOptions(List<String> jvmOptions, String[] args) {
        String command = null;
        for (String a : args) {
            if (!a.startsWith("-")) {
                command = a;
                break;
            }
        }
        if (command == null || !INFERENCE_COMMANDS.contains(command)) {
            return List.of();
        }
        for (String o : jvmOptions) {
            if (o.startsWith("-Xm") || o.startsWith("-XX:") && (o.contains("NewSize") || o.contains("NewRatio") || o.endsWith("GC")
                    || o.contains("HeapSize") || o.contains("RAMPercentage") || o.contains("RAMFraction"))) {
                return List.of();
            }
        }
        return INFERENCE_HEAP;
    }

    private static java.util.Optional<String> jarPath() {
        try {
            var source = Launcher.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(Path.of(source.getLocation().toURI()).toString());
        } catch (Exception e) {
            return java.util.Optional.empty();
        }
    }
}
