package io.mycelium.cli;

import picocli.CommandLine.Command;

@Command(name = "demo", mixinStandardHelpOptions = true, description = "Train a small GCNN fully distributed on a 20-node graph.")
final class DemoCommand implements Runnable {
    @Override
    public void run() { throw new Main.UserError("demo: not built yet"); }
}
