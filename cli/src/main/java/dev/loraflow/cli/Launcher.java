package dev.loraflow.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point of {@code java -jar loraflow.jar}. The Vector API lives in an incubator module that
 * a jar manifest cannot add, so when it is missing from the boot layer the launcher starts the same
 * JVM binary again with {@code --add-modules jdk.incubator.vector}, passing the JVM options and
 * arguments through. This class must not touch the Vector API itself.
 */
public final class Launcher {
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String RELAUNCHED = "loraflow.relaunched";

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
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(jar);
        command.add(LoraflowCli.class.getName());
        command.addAll(List.of(args));
        return command;
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
