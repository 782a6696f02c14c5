package io.mycelium.wireless;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PowerAllocationTest {
    @Test
    void sameSeedSameBits() {
        // 3 training locations, 2 epochs, the test set right after them: small, but every part of a run
        PowerAllocation.Config cfg = new PowerAllocation.Config(2, 3, 1, 1e-2, 7, List.of(PowerScheme.ADAM, PowerScheme.GC_ADAM, PowerScheme.D_ADAM));
        PowerAllocation.Result a = PowerAllocation.run(cfg, 3, (phase, units) -> {}, null), b = PowerAllocation.run(cfg, 3, (phase, units) -> {}, null);
        for (int q = 0; q < cfg.schemes().size(); q++) {
            PowerAllocation.Curve x = a.curves().get(q), y = b.curves().get(q);
            assertThat(x.test()).isEqualTo(y.test());
            assertThat(x.trainAverage()).isEqualTo(y.trainAverage());
            // training moved the parameters: the epochs' test values differ from the untrained one
            assertThat(x.test()[2]).isNotEqualTo(x.test()[0]);
        }
        assertThat(a.wmmse().sumRate()).isEqualTo(b.wmmse().sumRate());
    }
}
