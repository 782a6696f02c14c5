package io.mycelium.model;

/**
 * A capability: a model whose forward pass is the GCNN of eq. (9) says so by returning that form,
 * and trainers then run it as one fused array pass over all samples of a mini-batch
 * ({@code io.mycelium.train.fused.GcnnPass}) instead of recording it on a tape. The trainer asks
 * for the capability, never for a class: a new model gets the fused pass by implementing this.
 * The tape remains the reference the fused pass is tested against.
 */
public interface FusedGcnnTraining {
    /**
     * This model's layers as eq. (9) writes them; the parameter names must be the ones {@code init}
     * adds. Null when this instance's forward pass is not of that form: the trainer then records it on a tape.
     */
    GcnnForm gcnnForm();
}
