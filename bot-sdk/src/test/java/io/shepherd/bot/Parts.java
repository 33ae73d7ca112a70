package io.shepherd.bot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.Parameter;

/**
 * What the tests of the SDK's parts share: a real runtime in this JVM over a database of the
 * test's own (H2 or PostgreSQL, by the class parameter), a state directory, a clock the test
 * moves, and settings for a bot of type {@code t}.
 */
abstract class Parts {
    @Parameter
    String databaseKind;

    TestDatabase db;
    TestRuntime runtime;
    Http http;
    Path stateDir;
    final ManualClock clock = new ManualClock();

    @BeforeEach
    void startRuntime() throws Exception {
        db = TestDatabase.create(databaseKind);
        runtime = TestRuntime.start(db);
        http = runtime.http();
        stateDir = Files.createTempDirectory(db.dataDir(), "bot-state");
    }

    @AfterEach
    void stopRuntime() {
        try {
            runtime.close();
        } finally {
            db.close();
        }
    }

    /** A bot of type {@code t} with this handler, on the test's clock; fast retries. */
    Bot.Builder builder(JobHandler handler) {
        return Bot.builder()
                .servers(http.base())
                .enrollToken(TestRuntime.ENROLL)
                .name("part")
                .stateDir(stateDir)
                .concurrency(3)
                .claimWait(Duration.ZERO)
                .retries(Duration.ofMillis(10), Duration.ofMillis(50), 3)
                .handleSignals(false)
                .handler("t", handler)
                .clock(clock);
    }

    static RuntimeApi api(BotSettings settings) {
        return new RuntimeApi(new RuntimeClient(settings.servers(), settings.client()), settings.name());
    }

    String submit(Object... fields) {
        Object[] all = new Object[fields.length + 2];
        all[0] = "type";
        all[1] = "t";
        System.arraycopy(fields, 0, all, 2, fields.length);
        Http.Response r = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj(all));
        if (r.status() != 201) {
            throw new AssertionError("submit failed: " + r);
        }
        return r.json().getString("id");
    }

    JsonObject job(String id) {
        return http.get("/v1/jobs/" + id, TestRuntime.CLIENT).json();
    }

    /** The job's events as kind/reason, oldest first. */
    List<String> events(String id) {
        return http.get("/v1/jobs/" + id + "/events", TestRuntime.CLIENT).json().getJsonArray("events")
                .getValuesAs(JsonObject.class).stream()
                .map(e -> e.getString("kind") + "/" + e.getString("reason", "")).toList();
    }

    /** Waits (real time, briefly) until the job has this status. */
    void awaitStatus(String id, String status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!status.equals(job(id).getString("status"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + id + " never became " + status + ": " + job(id));
            }
            Thread.sleep(10);
        }
    }

    /** A control whose answers the test sets, and which remembers what it was told. */
    static final class Control implements BotControl {
        volatile boolean beating = true;
        volatile boolean claiming = true;
        volatile String supersededBy;
        volatile boolean drained;
        volatile int beatsLeft = Integer.MAX_VALUE;

        @Override
        public boolean beating() {
            return beating && beatsLeft-- > 0;
        }

        @Override
        public boolean claiming() {
            return claiming;
        }

        @Override
        public boolean superseded() {
            return supersededBy != null;
        }

        @Override
        public void supersede(String detail) {
            supersededBy = detail;
        }

        volatile String revokedBy;

        @Override
        public void drain() {
            drained = true;
        }

        @Override
        public void undrain() {
            drained = false;
        }

        @Override
        public boolean drained() {
            return drained;
        }

        @Override
        public void revoke(String detail) {
            revokedBy = detail;
        }
    }

    /** A bot's parts after its start-up, wired as {@code Bot.run()} wires them, around the test's control. */
    record Started(BotSettings settings, RuntimeApi api, StartUp.Session session, Runner runner, Claimer claimer,
                   Heartbeats heartbeats, Reports reports) {
    }

    /** The threads that send reports for the test's bots, stopped after each test. */
    private final List<Thread> reporters = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Registers a bot of type {@code t} with this handler and builds its parts; its reports are sent
     * by a thread of their own, as in a running bot.
     */
    Started started(JobHandler handler, BotControl control) {
        return started(handler, control, true);
    }

    /** {@link #started(JobHandler, BotControl)}, with or without the thread that sends reports no claim carried. */
    Started started(JobHandler handler, BotControl control, boolean reporter) {
        BotSettings settings = builder(handler).settings();
        RuntimeApi api = api(settings);
        StartUp.Session session = new StartUp(settings, api, () -> false).run();
        Reports reports = new Reports(api, session, control, settings.clock(), control::superseded);
        Runner runner = new Runner(settings, api, session.identity(), control::superseded, reports);
        if (reporter) {
            reporters.add(Thread.ofPlatform().daemon().name("test-report").start(reports));
        }
        return new Started(settings, api, session, runner, new Claimer(settings, api, session, runner, control, reports),
                new Heartbeats(settings, api, session, runner, control), reports);
    }

    @AfterEach
    void stopReporters() {
        reporters.forEach(Thread::interrupt);
    }
}
