package io.shepherd.runtime.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code retry} and {@code cancel}: one job by id, or every job a filter picks in one request
 * ("retry every job that died of X since yesterday": {@code retry --status dead --error X --since 1d}).
 */
public final class JobActionCommand {
    private JobActionCommand() {
    }

    /** One job by id, or a filter. */
    static final class Which {
        @Parameters(paramLabel = "JOB_ID", description = "The job")
        String jobId;

        @ArgGroup(exclusive = false)
        Filter filter;
    }

    /** What a bulk action picks: every option given must hold. */
    static final class Filter {
        @Option(names = {"-s", "--status"}, description = "Only jobs in this status")
        String status;

        @Option(names = {"-t", "--type"}, description = "Only this job type")
        String type;

        @Option(names = {"-q", "--queue"}, description = "Only this queue")
        String queue;

        @Option(names = "--since", description = "Changed (e.g. died) since: 30m, 1h, 1d, or a time")
        String since;

        @Option(names = "--until", description = "Changed before: a duration ago, or a time")
        String until;

        @Option(names = {"-e", "--error"}, description = "Whose last error contains this text")
        String error;

        JsonObject json() {
            JsonObjectBuilder b = Json.createObjectBuilder();
            add(b, "status", status);
            add(b, "type", type);
            add(b, "queue", queue);
            add(b, "since", since == null ? null : Out.since(since).toString());
            add(b, "until", until == null ? null : Out.since(until).toString());
            add(b, "error", error);
            return b.build();
        }

        private static void add(JsonObjectBuilder b, String name, String value) {
            if (value != null) {
                b.add(name, value);
            }
        }
    }

    static int act(Remote remote, Which which, String action) throws Exception {
        if (which.jobId != null) {
            JsonObject job = remote.write("POST", "/v1/jobs/" + URLEncoder.encode(which.jobId, StandardCharsets.UTF_8)
                    + "/" + action, null).asJsonObject();
            return remote.show(job, j -> System.out.println("job " + j.getString("id") + " is " + j.getString("status")));
        }
        String bulk = action.equals("retry") ? "retry" : "cancel";
        JsonObject answer = remote.write("POST", "/v1/jobs/bulk", Json.createObjectBuilder().add("action", bulk)
                .add("filter", which.filter.json()).build()).asJsonObject();
        return remote.show(answer, a -> System.out.println((bulk.equals("retry") ? "retried " : "cancelled ")
                + a.getJsonNumber("touched") + " job(s)"));
    }

    @Command(name = "retry", mixinStandardHelpOptions = true, description = "Give a dead or cancelled job a fresh "
            + "attempt budget, or every job a filter picks, e.g. retry --status dead --error timeout --since 1d (admin).")
    public static final class Retry implements Callable<Integer> {
        @Mixin
        Remote remote;

        @ArgGroup(multiplicity = "1")
        Which which;

        @Override
        public Integer call() throws Exception {
            return act(remote, which, "retry");
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a job, or every pending or "
            + "claimed job a filter picks, e.g. cancel --queue import --type x (client).")
    public static final class Cancel implements Callable<Integer> {
        @Mixin
        Remote remote;

        @ArgGroup(multiplicity = "1")
        Which which;

        @Override
        public Integer call() throws Exception {
            return act(remote, which, "cancel");
        }
    }
}
