package io.shepherd.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.chaos.ChaosHarness.BotProcess;
import io.shepherd.chaos.ChaosHarness.Replica;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Thousands of jobs through real replicas and a mixed fleet of Java and Python bots while bots are SIGKILLed (restarted with
 * their state or not), frozen past their lease (zombies), the recovery leader is SIGKILLed,
 * PostgreSQL is stopped and started, a replica starts while the database is down, and bots start
 * before any runtime. Afterwards the database must show every job completed exactly once.
 */
class ChaosTest {

    @Test
    @Tag("chaos-short")
    void shortRunLosesNothingAndAcceptsNothingTwice() throws Exception {
        run(2, 4, 1000, 1);
    }

    @Test
    @Tag("chaos-full")
    void fullRunLosesNothingAndAcceptsNothingTwice() throws Exception {
        run(3, 6, 1500, 3);
    }

    static void run(int replicaCount, int botCount, int jobsPerRound, int rounds) throws Exception {
        long wallStart = System.nanoTime();
        try (ChaosHarness h = new ChaosHarness(replicaCount, botCount)) {
            // bots start before any runtime exists
            for (BotProcess bot : h.bots) {
                bot.start();
            }
            Thread.sleep(3000);
            h.log("bots started before any runtime; starting " + replicaCount + " replicas");
            long replicasStarted = System.nanoTime();
            for (Replica r : h.replicas) {
                r.start();
            }
            ChaosHarness.await("all replicas ready", Duration.ofSeconds(90), () -> h.replicas.stream().allMatch(Replica::ready));
            ChaosHarness.await("every bot registered", Duration.ofSeconds(60), () -> h.bots.stream()
                    .allMatch(b -> Files.exists(b.home.resolve("state").resolve("bot.json"))));
            h.record("bots started before the runtimes: all registered", (System.nanoTime() - replicasStarted) / 1_000_000);

            List<String> jobs = new ArrayList<>();
            List<String> zombies = new ArrayList<>();
            List<String> zombieJobs = new ArrayList<>();
            int spare = 0;
            for (int round = 1; round <= rounds; round++) {
                h.log("round " + round + ": submitting " + jobsPerRound + " jobs");
                jobs.addAll(h.submit(jobsPerRound, 400));
                if (round == 1) {
                    ChaosHarness.await("a first job completed", Duration.ofSeconds(60), () -> {
                        try {
                            return h.count("SELECT COUNT(*) FROM jobs WHERE status = 'completed'") > 0;
                        } catch (Exception e) {
                            return false;
                        }
                    });
                    h.log("first job done " + (System.nanoTime() - replicasStarted) / 1_000_000 + " ms after the replicas started");
                }
                Thread.sleep(1500);

                // 1. SIGKILL a bot and restart it with its state: what it held comes back at once
                BotProcess restarted = h.bots.get(0);
                String restartedId = restarted.botId();
                var held = heldWithSessions(h, restartedId);
                restarted.process.kill();
                long t0 = System.nanoTime();
                restarted.start();
                awaitNotHeldUnder(h, held, Duration.ofSeconds(60));
                h.record("bot SIGKILL + restart: its jobs released", (System.nanoTime() - t0) / 1_000_000);

                // 2. SIGKILL a bot for good: its jobs come back when their leases run out
                BotProcess killed = h.bots.get(1);
                var orphaned = heldWithSessions(h, killed.botId());
                killed.process.kill();
                t0 = System.nanoTime();
                awaitNotHeldUnder(h, orphaned, Duration.ofSeconds(60));
                h.record("bot SIGKILL, not restarted (" + (killed.python ? "a Python bot" : "a Java bot") + "): its jobs rescued", (System.nanoTime() - t0) / 1_000_000);
                BotProcess replacement = h.new BotProcess("spare-" + spare++, killed.python);
                h.bots.set(1, replacement);
                replacement.start();

                // 3. SIGSTOP a bot past its lease: a zombie; its late completions must be refused
                BotProcess zombie = h.bots.get(2);
                String zombieId = zombie.botId();
                // what it holds once frozen: reports already on the wire land within moments, so
                // look after a short wait; a bot frozen between jobs holds nothing: try again
                Map<String, String> frozen = Map.of();
                for (int attempt = 0; attempt < 10 && frozen.isEmpty(); attempt++) {
                    zombie.process.signal("STOP");
                    Thread.sleep(500);
                    frozen = heldWithSessions(h, zombieId);
                    if (frozen.isEmpty()) {
                        zombie.process.signal("CONT");
                        Thread.sleep(300);
                    }
                }
                assertTrue(!frozen.isEmpty(), "the zombie was frozen holding jobs");
                t0 = System.nanoTime();
                awaitNotHeldUnder(h, frozen, Duration.ofSeconds(60));
                h.record("bot SIGSTOP past its lease (" + (zombie.python ? "a Python bot" : "a Java bot") + "): its jobs rescued", (System.nanoTime() - t0) / 1_000_000);
                Thread.sleep(Math.max(0, ChaosHarness.LEASE_TTL.toMillis() + 3000 - (System.nanoTime() - t0) / 1_000_000));
                zombie.process.signal("CONT");
                h.log("zombie " + zombieId + " resumed; it held " + frozen.keySet().size() + " job(s) when frozen");
                zombies.add(zombieId);
                zombieJobs.addAll(frozen.keySet());

                // 4. SIGKILL the replica that leads recovery: another takes over
                Replica leader = null;
                for (int i = 0; i < 50 && leader == null; i++) {
                    leader = h.replicas.stream().filter(Replica::leads).findFirst().orElse(null);
                    if (leader == null) {
                        Thread.sleep(100);
                    }
                }
                assertTrue(leader != null, "some replica leads recovery");
                leader.process.kill();
                t0 = System.nanoTime();
                Replica dead = leader;
                if (replicaCount > 1) {
                    ChaosHarness.await("another replica leads", Duration.ofSeconds(30),
                            () -> h.replicas.stream().anyMatch(r -> r != dead && r.leads()));
                    h.record("leader SIGKILL: another replica leads", (System.nanoTime() - t0) / 1_000_000);
                }

                // 5. PostgreSQL stopped at once; meanwhile the killed replica starts without its database
                h.cluster.stop();
                long dbDown = System.nanoTime();
                h.log("PostgreSQL stopped");
                dead.start();
                ChaosHarness.await("the replica started without its database answers /livez", Duration.ofSeconds(60), () -> {
                    try {
                        return dead.http.get("/livez", null).status() == 200;
                    } catch (RuntimeException e) {
                        return false;
                    }
                });
                assertEquals(503, dead.http.get("/ready", null).status(), "not ready without its database");
                Thread.sleep(Math.max(0, 5000 - (System.nanoTime() - dbDown) / 1_000_000));
                h.cluster.start();
                t0 = System.nanoTime();
                h.log("PostgreSQL started after " + (t0 - dbDown) / 1_000_000 + " ms");
                ChaosHarness.await("the replica started without its database becomes ready", Duration.ofSeconds(60), dead::ready);
                h.record("replica started while PostgreSQL was down: ready", (System.nanoTime() - t0) / 1_000_000);
                ChaosHarness.await("every replica ready again", Duration.ofSeconds(60),
                        () -> h.replicas.stream().allMatch(Replica::ready));
                h.record("PostgreSQL stopped 5 s: every replica ready again", (System.nanoTime() - t0) / 1_000_000);
                long completedBefore = h.count("SELECT COUNT(*) FROM jobs WHERE status = 'completed'");
                ChaosHarness.await("work resumes after the outage", Duration.ofSeconds(60), () -> {
                    try {
                        return h.count("SELECT COUNT(*) FROM jobs WHERE status = 'completed'") > completedBefore
                                || h.count("SELECT COUNT(*) FROM jobs WHERE status <> 'completed'") == 0;
                    } catch (Exception e) {
                        return false;
                    }
                });
                h.record("PostgreSQL stopped 5 s: jobs completing again", (System.nanoTime() - t0) / 1_000_000);
            }

            h.log("all faults injected; waiting for " + jobs.size() + " jobs to finish");
            try {
                ChaosHarness.await("every job completed", Duration.ofMinutes(3), () -> {
                    try {
                        return h.count("SELECT COUNT(*) FROM jobs WHERE status <> 'completed'") == 0;
                    } catch (Exception e) {
                        return false;
                    }
                });
            } catch (AssertionError e) {
                // in the failure's message, so that CI's console shows it
                throw new AssertionError(e.getMessage() + "\n" + h.diagnose(), e);
            }

            // what the database says
            assertEquals(jobs.size(), h.count("SELECT COUNT(*) FROM jobs"), "no job lost, none invented");
            assertEquals(jobs.size(), h.count("SELECT COUNT(*) FROM jobs WHERE status = 'completed'"));
            assertEquals(0, h.count("SELECT COUNT(*) FROM jobs WHERE status IN ('claimed', 'pending', 'dead')"));
            assertEquals(jobs.size(), h.count("SELECT COUNT(DISTINCT job_id) FROM job_events WHERE kind = 'completed'"));
            assertEquals(0, h.count("SELECT COUNT(*) FROM (SELECT job_id FROM job_events WHERE kind = 'completed' "
                    + "GROUP BY job_id HAVING COUNT(*) > 1) t"), "exactly one accepted completion per job");
            String zombieList = String.join(",", zombies.stream().map(z -> "'" + z + "'").toList());
            long zombieRescued = 0;
            long zombieRefused = 0;
            for (String zombieJob : zombieJobs) {
                // a job the zombie finished just before it froze was not rescued: nothing late to refuse
                boolean rescued = h.count("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND kind = 'requeued' "
                        + "AND bot_id IN (" + zombieList + ")", zombieJob) > 0;
                if (rescued) {
                    zombieRescued++;
                    // The zombie either reports late and is refused, or hears from its first heartbeat
                    // after the thaw that the job is lost and reports nothing (the SDK stops the
                    // handler): both are right. What must never happen is its completion of the
                    // attempt that was taken from it accepted (after the thaw it may claim the job
                    // again, as a new attempt, and complete that one).
                    zombieRefused += h.count("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND kind = 'refused' "
                            + "AND bot_id IN (" + zombieList + ")", zombieJob) > 0 ? 1 : 0;
                    assertEquals(0, h.count("SELECT COUNT(*) FROM job_events c WHERE c.job_id = ? AND c.kind = 'completed' "
                                    + "AND c.bot_id IN (" + zombieList + ") AND c.attempt <= (SELECT MAX(r.attempt) "
                                    + "FROM job_events r WHERE r.job_id = c.job_id AND r.kind = 'requeued' AND r.bot_id IN ("
                                    + zombieList + "))", zombieJob),
                            "the zombie's late completion of " + zombieJob + " was not accepted");
                }
            }
            assertTrue(zombieRescued > 0, "some zombie job was rescued");
            long refused = h.count("SELECT COUNT(*) FROM job_events WHERE kind = 'refused'");
            long rescued = h.count("SELECT COUNT(*) FROM job_events WHERE kind = 'requeued'");
            long restartedReleases = h.count("SELECT COUNT(*) FROM job_events WHERE reason = 'bot-restarted'");

            long wallMs = (System.nanoTime() - wallStart) / 1_000_000;
            String report = h.report() + String.format(
                    "  jobs %d, rounds %d, replicas %d, bots %d; rescued %d, released on restart %d, zombie completions "
                            + "refused %d (%d zombie jobs rescued of %d frozen, %d of them reported late and refused); wall time "
                            + "%.1f s%n",
                    jobs.size(), rounds, replicaCount, botCount, rescued, restartedReleases, refused, zombieRescued,
                    zombieJobs.size(), zombieRefused,
                    wallMs / 1000.0);
            System.out.print(report);
            Files.writeString(Path.of("target", "chaos-report.txt"), report, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    /** The jobs a bot holds, each with the session it was claimed under. */
    static Map<String, String> heldWithSessions(ChaosHarness h, String botId) throws Exception {
        Map<String, String> held = new java.util.HashMap<>();
        for (String row : h.query("SELECT id || ' ' || COALESCE(claim_session, '') FROM jobs "
                + "WHERE claimed_by = ? AND status = 'claimed'", botId)) {
            String[] parts = row.split(" ", 2);
            held.put(parts[0], parts.length > 1 ? parts[1] : "");
        }
        return held;
    }

    /** Waits until none of the jobs is still claimed under the session it had. */
    static void awaitNotHeldUnder(ChaosHarness h, Map<String, String> held, Duration timeout) throws InterruptedException {
        ChaosHarness.await("jobs taken back " + held.keySet(), timeout, () -> {
            try {
                for (Map.Entry<String, String> e : held.entrySet()) {
                    if (h.count("SELECT COUNT(*) FROM jobs WHERE id = ? AND status = 'claimed' AND claim_session = ?",
                            e.getKey(), e.getValue()) > 0) {
                        return false;
                    }
                }
                return true;
            } catch (Exception e) {
                return false;
            }
        });
    }
}
