/**
 * Mycelium: graph neural networks that train and infer inside networked systems.
 *
 * <p>Exported: what a user writes models, runs engines, trains and runs tasks with, and the command
 * line. Not exported: the fused training kernels ({@code train.fused}) and small internal helpers
 * ({@code util}); the engines' kernels are package-private classes of {@code engine}.
 *
 * <p>The launcher and the tests run on the class path (see pom.xml), where this descriptor is not
 * used at run time; the build compiles against it, so the exports and requires below are checked.
 */
module io.mycelium {
    requires jdk.incubator.vector;
    requires java.management;
    requires jdk.management;

    requires org.apache.commons.rng.api;
    requires org.apache.commons.rng.simple;
    requires org.apache.commons.rng.core; // a generator's saved state (wireless checkpoints)
    requires org.apache.commons.rng.sampling;
    requires org.jgrapht.core;
    requires info.picocli;
    requires me.tongfei.progressbar;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires xchart; // an automatic module named after its jar (xchart 4.0.3 declares no name)

    // the networked engine (io.mycelium.net): Pekko typed actors and Cluster; its config is HOCON
    requires pekko.actor;
    requires pekko.actor.typed;
    requires pekko.cluster;
    requires pekko.remote; // the TLS engine provider (net.TlsEngineProvider)
    requires pekko.cluster.typed;
    requires scala.library;
    requires typesafe.config;
    requires org.slf4j; // set up before Pekko's threads use it (net.NetSystem)

    exports io.mycelium.tensor;
    exports io.mycelium.graph;
    exports io.mycelium.comm;
    exports io.mycelium.autodiff;
    exports io.mycelium.model;
    exports io.mycelium.model.energy;
    exports io.mycelium.model.spec;
    exports io.mycelium.artifact;
    exports io.mycelium.optim;
    exports io.mycelium.engine;
    exports io.mycelium.train;
    exports io.mycelium.data;
    exports io.mycelium.task;
    exports io.mycelium.task.hogwild;
    exports io.mycelium.net;
    exports io.mycelium.wireless;
    exports io.mycelium.ssl;
    exports io.mycelium.cli;

    // picocli fills the commands' annotated fields; Jackson writes summaries and binds the net's control messages
    opens io.mycelium.cli to info.picocli, com.fasterxml.jackson.databind;
    opens io.mycelium.net to com.fasterxml.jackson.databind;
    opens io.mycelium.artifact to com.fasterxml.jackson.databind;
    opens io.mycelium.model.spec to com.fasterxml.jackson.databind;
    opens io.mycelium.train to com.fasterxml.jackson.databind;
    opens io.mycelium.task to com.fasterxml.jackson.databind;
    opens io.mycelium.task.hogwild to com.fasterxml.jackson.databind;
    opens io.mycelium.wireless to com.fasterxml.jackson.databind;
    opens io.mycelium.ssl to com.fasterxml.jackson.databind;
}
