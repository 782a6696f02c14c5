package io.mycelium.model;

import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;

import java.util.function.UnaryOperator;

/**
 * An explicit GNN of L message-passing layers on embeddings of one common width (GCN, GAT):
 * {@code h^0 = encode(x)} (node-local), {@code h^{l+1} = layer_l(h^l)} (one round of message
 * passing each), output {@code readout(h^L)} (node-local). Written once, it runs synchronously
 * through {@link #forward} and, unchanged, under the hogwild paper's asynchrony (eq. 9, Appendix E
 * Algorithm 1), where a node at layer l applies {@code layer_l} to its own embedding and to whatever
 * embeddings its neighbours last sent — possibly of another layer, which is why every layer reads
 * and writes the same width.
 *
 * <p>Contract: {@code encode} and {@code readout} pass no messages; {@code layer} passes exactly one
 * round, and a node's row of what it sends depends only on its own row of {@code h} (and its
 * parameters and inputs), so a neighbour's message is a function of its current embedding.
 */
public interface LayeredModel extends HiddenMapped {
    /** Message-passing layers L. */
    int layers();

    /** Width of every embedding h^0..h^L. */
    int width();

    /** h^0 from the node's input; no message passing. */
    Var encode(Tape tape, GraphInput input);

    /** One layer, {@code l} in 0..L-1: the embeddings after layer l from {@code h}; one round of message passing. */
    Var layer(Tape tape, int l, Var h, GraphInput input);

    /** Per-node output from the last embedding; no message passing. */
    Var readout(Tape tape, Var h, GraphInput input);

    /** encode, then the L layers, then the readout. */
    @Override
    default Var forward(Tape tape, Var x) { return forward(tape, x, UnaryOperator.identity()); }

    @Override
    default Var forward(Tape tape, Var x, UnaryOperator<Var> hidden) {
        GraphInput in = GraphInput.of(x);
        Var h = encode(tape, in);
        for (int l = 0; l < layers(); l++) h = layer(tape, l, l > 0 ? hidden.apply(h) : h, in);
        return readout(tape, h, in);
    }

    @Override
    default int rounds() { return layers(); }
}
