package io.mycelium.wireless;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The channel generator against numpy's legacy RandomState (values printed by numpy 2.4 running the spec's recipe). */
class ChannelsTest {

    @Test
    void streamMatchesNumpyRandomState() {
        LegacyNumpyRandom r = new LegacyNumpyRandom(0);
        assertThat(r.nextDouble()).isEqualTo(0.5488135039273248);
        assertThat(r.nextDouble()).isEqualTo(0.7151893663724195);
        assertThat(r.nextDouble()).isEqualTo(0.6027633760716439);
        LegacyNumpyRandom g = new LegacyNumpyRandom(3);
        assertThat(g.nextGaussian()).isEqualTo(1.7886284734303186);
        assertThat(g.nextGaussian()).isEqualTo(0.43650985051198943);
        assertThat(g.nextGaussian()).isEqualTo(0.09649746807200862);
    }

    @Test
    void firstLocationMatchesTheAuthorsRecipe() {
        LegacyNumpyRandom r = new LegacyNumpyRandom(0);
        double[] h = new double[Channels.SAMPLES * Channels.SIZE];
        Channels.location(r, h, new double[Channels.SIZE]);
        int n = Channels.LINKS, s = Channels.SIZE;
        // numpy's pow/log10 and Java's may differ in the last bit
        assertThat(h[0]).isCloseTo(4.432703675863558e-06, within(1e-19));
        assertThat(h[1]).isCloseTo(9.879230889168458e-07, within(1e-19));
        assertThat(h[63 * s + 24 * n + 24]).isCloseTo(3.918936434471519e-06, within(1e-19));
        assertThat(h[5 * s + 3 * n + 7]).isCloseTo(3.323766737587349e-06, within(1e-19));
        int zeros = 0;
        for (double x : h) if (x == 0) zeros++;
        assertThat(zeros).isEqualTo(501);
        // the stream continues where numpy's does
        assertThat(r.nextDouble()).isEqualTo(0.9881925063126459);
    }

    @Test
    void skippingALocationLeavesTheStreamWhereDrawingItDoes() {
        LegacyNumpyRandom a = new LegacyNumpyRandom(7), b = new LegacyNumpyRandom(7);
        Channels.location(a, new double[Channels.SAMPLES * Channels.SIZE], new double[Channels.SIZE]);
        Channels.skipLocation(b);
        for (int k = 0; k < 5; k++) assertThat(b.nextGaussian()).isEqualTo(a.nextGaussian());
    }

    @Test
    void trainingBatchesAreRedrawnBitForBit() {
        ChannelSet set = new ChannelSet(0, 3, 3, 1, null);
        double[] first = new double[Channels.SAMPLES * Channels.SIZE], again = first.clone(), direct = first.clone();
        set.train(1, first);
        set.train(2, again);
        set.train(1, again);
        assertThat(again).isEqualTo(first);
        LegacyNumpyRandom r = new LegacyNumpyRandom(0);
        Channels.skipLocation(r);
        Channels.location(r, direct, new double[Channels.SIZE]);
        assertThat(first).isEqualTo(direct);
    }
}
