package io.mycelium.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the datasets that are not part of the repository live (MNIST, Cora, ...): the directory
 * named by {@code $MYCELIUM_DATA}, else {@code ../shared/data} from the working directory (the
 * project's own layout, where the repository sits beside a shared folder). Commands take each dataset's
 * path as an option and fall back to this lookup; docs/data.md lists what goes where. The system
 * property {@code mycelium.data} overrides the variable (for tests).
 */
final class DataDir {
    static final String ENV = "MYCELIUM_DATA";

    private DataDir() {}

    /** The data root, if there is one: $MYCELIUM_DATA (or -Dmycelium.data) when set (whether or not it exists), else ../shared/data when it exists. */
    static Optional<Path> root() {
        String env = System.getProperty("mycelium.data", System.getenv(ENV));
        if (env != null && !env.isBlank()) return Optional.of(Path.of(env));
        Path sibling = Path.of("..", "shared", "data");
        return Files.isDirectory(sibling) ? Optional.of(sibling) : Optional.empty();
    }

    /** {@code name} under the data root, if that directory exists. */
    static Optional<Path> find(String name) {
        return root().map(r -> r.resolve(name)).filter(Files::isDirectory);
    }

    /** How to provide {@code name}, for messages. */
    static String howToProvide(String name, String option) {
        return "pass " + option + " DIR, or set " + ENV + " to a folder holding " + name + "/ (see docs/data.md)";
    }
}
