package io.mycelium.model;

import io.mycelium.autodiff.Var;

/**
 * What a node knows before any message arrives: its feature row, and the features of its
 * incoming edges ({@code [edges, f]} in the partition's CSR order), or null when the task has none.
 */
public record GraphInput(Var nodes, Var edges) {
    public static GraphInput of(Var nodes) { return new GraphInput(nodes, null); }
}
