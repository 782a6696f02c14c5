package io.mycelium;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README.md's "Write and train a model" example, taken from the README itself: its Java block is
 * compiled against the project's classes and run, and the training it does must work.
 */
class ReadmeExampleTest {

    static String javaBlock(String readme) {
        Matcher m = Pattern.compile("(?s)```java\\n(.*?)```").matcher(readme);
        assertThat(m.find()).as("README.md has a ```java block").isTrue();
        String code = m.group(1);
        assertThat(m.find()).as("README.md has exactly one ```java block").isFalse();
        return code;
    }

    @Test
    void theExampleCompilesRunsAndLearns(@TempDir Path tmp) throws Exception {
        String code = javaBlock(Files.readString(Path.of("README.md")));
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(code);
        assertThat(cls.find()).as("the example declares a public class").isTrue();
        String name = cls.group(1);
        Path src = tmp.resolve(name + ".java");
        Files.writeString(src, code);

        // Surefire may run the tests from a manifest-only jar: its own property holds the real class path.
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-proc:none", "-cp", cp, "-d", tmp.toString(), src.toString());
        assertThat(rc).as("javac:\n" + diagnostics.toString(StandardCharsets.UTF_8)).isZero();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try (URLClassLoader loader = new URLClassLoader(new java.net.URL[] {tmp.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            loader.loadClass(name).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(old);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        Matcher mse = Pattern.compile("mean squared error: (\\S+) -> (\\S+)").matcher(printed);
        assertThat(mse.find()).as("the example prints its error before and after: " + printed).isTrue();
        double before = Double.parseDouble(mse.group(1)), after = Double.parseDouble(mse.group(2));
        // The student has the teacher's architecture, so it can fit the targets exactly.
        assertThat(before).isGreaterThan(0.01);
        assertThat(after).as("error after 200 Adam steps").isLessThan(before / 100);
        assertThat(List.of(printed.split("\n"))).hasSize(1);
    }
}
