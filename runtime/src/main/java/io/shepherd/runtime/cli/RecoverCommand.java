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
        if (remote.json()) {
            Out.json(System.out, sweep);
        } else {
            System.out.println("swept: " + sweep.getInt("requeued") + " requeued, " + sweep.getInt("deadLettered")
                    + " dead-lettered, " + sweep.getInt("timedOut") + " timed out, " + sweep.getInt("botsMarkedLost")
                    + " bots lost, " + sweep.getInt("botsQuarantined") + " bots quarantined");
        }
        return 0;
    }
}
