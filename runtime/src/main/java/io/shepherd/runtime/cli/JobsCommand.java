package io.shepherd.runtime.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jobs}: list jobs, or show one with its events. */
@Command(name = "jobs", mixinStandardHelpOptions = true, description = "List jobs, or show one job and its events.")
public final class JobsCommand implements Callable<Integer> {
    @Mixin
    Remote remote;

    @Parameters(arity = "0..1", paramLabel = "ID", description = "Show this job and its events")
    String id;

    @Option(names = {"-s", "--status"}, description = "pending, claimed, completed, dead or cancelled")
    String status;

    @Option(names = {"-t", "--type"}, description = "Only this job type")
    String type;

    @Option(names = {"-q", "--queue"}, description = "Only this queue")
    String queue;

    @Option(names = {"-n", "--limit"}, description = "At most this many (1..500)", defaultValue = "50")
    int limit;

    @Override
    public Integer call() throws Exception {
        if (id != null) {
            String path = "/v1/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
            int code = Remote.print(remote.get(path, true));
            return code != 0 ? code : Remote.print(remote.get(path + "/events", true));
        }
        StringBuilder query = new StringBuilder("?limit=").append(limit);
        append(query, "status", status);
        append(query, "type", type);
        append(query, "queue", queue);
        return Remote.print(remote.get("/v1/jobs" + query, true));
    }

    static void append(StringBuilder query, String name, String value) {
        if (value != null) {
            query.append('&').append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
