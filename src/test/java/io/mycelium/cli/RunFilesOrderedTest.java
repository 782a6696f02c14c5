package io.mycelium.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Results files write their small objects with keys in the order given, the same in every run. */
class RunFilesOrderedTest {
    @Test
    void keysKeepTheOrderGivenInTheWrittenJson() throws Exception {
        List<String> keys = List.of("zeta", "alpha", "mu", "beta", "omega", "gamma", "delta", "kappa");
        Object[] kv = new Object[2 * keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            kv[2 * i] = keys.get(i);
            kv[2 * i + 1] = i;
        }
        String json = new ObjectMapper().writeValueAsString(RunFiles.ordered(kv));
        StringBuilder expected = new StringBuilder("{");
        for (int i = 0; i < keys.size(); i++) expected.append(i == 0 ? "" : ",").append('"').append(keys.get(i)).append("\":").append(i);
        assertThat(json).isEqualTo(expected.append('}').toString());
    }

    @Test
    void anUnpairedKeyIsRefused() {
        assertThatThrownBy(() -> RunFiles.ordered("a", 1, "b")).isInstanceOf(IllegalArgumentException.class);
    }
}
