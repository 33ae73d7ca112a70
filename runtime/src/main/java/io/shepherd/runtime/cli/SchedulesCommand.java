package io.shepherd.runtime.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import jakarta.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code schedules}: every recurring schedule with its next and last run. */
@Command(name = "schedules", mixinStandardHelpOptions = true,
        description = "List recurring schedules with their next and last run and last job (client).")
public final class SchedulesCommand implements Callable<Integer> {
    @Mixin
    Remote remote;

    @Override
    public Integer call() throws Exception {
        JsonObject answer = remote.read("/v1/schedules").asJsonObject();
        if (remote.json()) {
            Out.json(System.out, answer);
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonObject s : answer.getJsonArray("schedules").getValuesAs(JsonObject.class)) {
            String when = s.isNull("cron") ? "every " + Out.relative(java.time.Duration.ofMillis(
                    s.getJsonNumber("everyMs").longValue())).replace("in ", "") : "cron " + s.getString("cron");
            List<String> row = new ArrayList<>(Arrays.asList(s.getString("name"), s.getString("type"), when,
                    Out.ago(s.getString("nextRunAt")), Out.s(Out.ago(Out.text(s, "lastRunAt"))),
                    Out.s(Out.text(s, "lastJobStatus"))));
            if (remote.wide()) {
                row.addAll(Arrays.asList(s.getString("zone"), s.getString("queue"), s.getString("overlap"),
                        s.getString("misfire"), s.getString("source"), Out.s(Out.text(s, "lastJobId"))));
            }
            rows.add(row);
        }
        List<String> headers = new ArrayList<>(Arrays.asList("NAME", "TYPE", "WHEN", "NEXT", "LAST", "LAST JOB"));
        if (remote.wide()) {
            headers.addAll(Arrays.asList("ZONE", "QUEUE", "OVERLAP", "MISFIRE", "SOURCE", "LAST JOB ID"));
        }
        Out.table(System.out, headers, rows);
        return 0;
    }
}
