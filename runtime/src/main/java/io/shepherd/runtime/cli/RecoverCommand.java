package io.shepherd.runtime.cli;

import java.util.concurrent.Callable;

import jakarta.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code recover}: one recovery sweep now (the runbook's "recover orphans" step). */
@Command(name = "recover", mixinStandardHelpOptions = true,
        description = "Run one recovery sweep now: rescue expired leases, mark silent bots lost (admin).")
public final class RecoverCommand implements Callable<Integer> {
    @Mixin
    Remote remote;

    @Override
    public Integer call() throws Exception {
        return Remote.print(remote.post("/v1/admin/recovery/run", Json.createObjectBuilder().build()));
    }
}
