package io.mycelium.model;

import io.mycelium.autodiff.Tape;
import io.mycelium.autodiff.Var;

import java.util.function.UnaryOperator;

/**
 * A model whose forward pass can apply a function to the embeddings entering every layer after the
 * first (training's hidden dropout), so a trainer can regularize it without knowing its class.
 */
public interface HiddenMapped extends Model {
    /** The forward pass with {@code hidden} applied to the input of every layer after the first. */
    Var forward(Tape tape, Var x, UnaryOperator<Var> hidden);
}
