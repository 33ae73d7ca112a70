package io.shepherd.bench;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.testing.ChildProcess;
import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.Json;
import jakarta.json.JsonObject;

/** SIGKILL of the bot holding a job → the job claimed by another bot, timed. */
final class Recovery {
    private final Bench bench;

    Recovery(Bench bench) {
        this.bench = bench;
    }

    void run(String lease, String heartbeat, String sweep, int kills, String label) throws Exception {
        Processes.Runtime runtime = bench.processes.runtime(bench.freshDatabase(), "lease:", "  ttl: " + lease,
                "heartbeat:", "  interval: " + heartbeat, "recovery:", "  interval: " + sweep);
        Http http = runtime.http();
        List<Long> times = new ArrayList<>();
        List<ChildProcess> bots = new ArrayList<>(List.of(bench.processes.bot(runtime, 1, Map.of()),
                bench.processes.bot(runtime, 1, Map.of())));
        Bench.awaitBots(http, bots);
        for (int k = 0; k < kills; k++) {
            String id = http.post("/v1/jobs", TestRuntime.CLIENT,
                    Http.obj("type", "echo", "payload", Http.obj("sleepMs", 600_000))).json().getString("id");
            String holder = awaitHolder(http, id);
            ChildProcess victim = null;
            for (ChildProcess b : bots) {
                if (b.alive() && holder.equals(botIdOf(b))) {
                    victim = b;
                }
            }
            victim.kill();
            long t0 = System.nanoTime();
            while (true) {
                if (System.nanoTime() - t0 > 180_000_000_000L) {
                    throw new AssertionError("the killed bot's job never came back");
                }
                JsonObject job = http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json();
                if ("claimed".equals(job.getString("status")) && !holder.equals(job.getString("claimedBy"))) {
                    break;
                }
                Thread.sleep(20);
            }
            times.add((System.nanoTime() - t0) / 1_000_000);
            bots.remove(victim);
            bots.add(bench.processes.bot(runtime, 1, Map.of())); // a fresh bot takes the free place
            freeTheLongJob(http, id, bots);
        }
        bench.report.row("recovery, SIGKILL of the holding bot -> claimed by another, " + label,
                String.format("p50 %.1f s", Bench.percentile(times, 0.5) / 1000.0), kills + " kills: " + times + " ms");
        for (ChildProcess b : bots) {
            b.kill();
        }
        runtime.process().kill();
    }

    private static String awaitHolder(Http http, String id) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonObject job = http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json();
            if ("claimed".equals(job.getString("status"))) {
                return job.getString("claimedBy");
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the long job was never claimed");
    }

    /** Cancels the long job; the bot that holds it is told on its next heartbeat and is free again. */
    private static void freeTheLongJob(Http http, String id, List<ChildProcess> bots) throws InterruptedException {
        http.post("/v1/jobs/" + id + "/cancel", TestRuntime.CLIENT, null);
        Bench.awaitBots(http, bots);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!http.get("/v1/bots?status=busy", TestRuntime.ADMIN).json().getJsonArray("bots").isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("a bot stayed busy after its job was cancelled");
            }
            Thread.sleep(100);
        }
    }

    /** The bot's id from state/bot.json in its working directory; null before it registered. */
    static String botIdOf(ChildProcess bot) throws Exception {
        Path cwd = Path.of("/proc", Long.toString(bot.process().pid()), "cwd").toRealPath();
        Path state = cwd.resolve("state").resolve("bot.json");
        if (!Files.exists(state)) {
            return null;
        }
        try (var reader = Json.createReader(new StringReader(Files.readString(state)))) {
            return reader.readObject().getString("id");
        }
    }
}
