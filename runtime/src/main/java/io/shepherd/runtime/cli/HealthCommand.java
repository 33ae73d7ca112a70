package io.shepherd.runtime.cli;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code health}: the deep health check and the job and bot counts; exit 1 when unhealthy. */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = "Show /healthz and the job and bot counts; exit code 1 when unhealthy.")
public final class HealthCommand implements Callable<Integer> {
    @Mixin
    Remote remote;

    @Override
    public Integer call() throws Exception {
        Remote.Answer answer = remote.get("/healthz", false);
        JsonObject health;
        try (var reader = Json.createReader(new StringReader(answer.body()))) {
            health = reader.readObject();
        } catch (RuntimeException e) {
            throw new Remote.Failure(Remote.REFUSED, "/healthz answered HTTP " + answer.status() + " without a report");
        }
        boolean healthy = answer.ok() && "healthy".equals(health.getString("status", ""));
        JsonObject stats = healthy ? remote.read("/v1/stats").asJsonObject() : null;
        if (remote.json()) {
            var doc = Json.createObjectBuilder().add("health", health);
            if (stats != null) {
                doc.add("stats", stats);
            }
            Out.json(System.out, doc.build());
        } else {
            System.out.println(health.getString("status", "unknown"));
            List<List<String>> rows = new ArrayList<>();
            health.getJsonObject("checks").forEach((name, v) -> {
                JsonObject check = v.asJsonObject();
                rows.add(Arrays.asList(name, check.getString("status"), Out.s(Out.ago(Out.text(check, "checkedAt"))),
                        Out.s(check.get("details"))));
            });
            Out.table(System.out, Arrays.asList("CHECK", "STATUS", "CHECKED", "DETAILS"), rows);
            if (stats != null) {
                System.out.println();
                StatsCommand.print(stats);
            }
        }
        return healthy ? 0 : Remote.REFUSED;
    }
}
