package io.shepherd.runtime.cli;

import java.util.concurrent.Callable;

import jakarta.json.JsonObject;
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
        JsonObject sweep = remote.write("POST", "/v1/admin/recovery/run", null).asJsonObject();
        return remote.show(sweep, s -> System.out.println("swept: " + s.getInt("requeued") + " requeued, "
                + s.getInt("deadLettered") + " dead-lettered, " + s.getInt("timedOut") + " timed out, "
                + s.getInt("botsMarkedLost") + " bots lost, " + s.getInt("botsQuarantined") + " bots quarantined"));
    }
}
