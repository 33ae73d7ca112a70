package io.shepherd.bot;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import jakarta.json.JsonValue;
import org.slf4j.MDC;

/**
 * Runs claimed jobs: each handler on a worker thread, at most {@code concurrency} at once, and
 * each outcome reported fenced by the job's lease token, retried until the runtime answers. A slot
 * is free again as soon as its handler returns, so the report overlaps with the next claim (the
 * job stays this bot's, its lease kept by heartbeats, until the report is answered). A job
 * cancelled, lost or given back stops its handler and reports nothing.
 */
final class Runner {
    private static final System.Logger LOG = System.getLogger(Runner.class.getName());
    /** The log context (MDC) keys a handler's lines carry. */
    static final String CORRELATION_ID = "correlationId";
    static final String JOB_ID = "jobId";

    private final BotSettings settings;
    private final RuntimeApi api;
    private final Identity identity;
    /** True once another process took this identity over: nothing more is reported. */
    private final BooleanSupplier superseded;
    private final Map<String, RunningJob> running = new ConcurrentHashMap<>();
    private final Semaphore slots;
    private final ExecutorService workers;

    Runner(BotSettings settings, RuntimeApi api, Identity identity, BooleanSupplier superseded) {
        this.settings = settings;
        this.api = api;
        this.identity = identity;
        this.superseded = superseded;
        this.slots = new Semaphore(settings.concurrency());
        // a thread per slot for handlers, and as many again so a finished job's report overlaps
        // with the next job's claim and handler instead of holding its slot
        this.workers = Executors.newFixedThreadPool(2 * settings.concurrency(), r -> {
            Thread t = new Thread(r, "shepherd-job-" + UUID.randomUUID().toString().substring(0, 8));
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * How long a busy bot waits, after a first slot came free, for more slots to free before it
     * claims: jobs that finish together are then refilled by one claim instead of one claim each
     * (measured: with two bots of concurrency 8 on no-op jobs, claims of mostly one job cost the
     * runtime about a third more CPU per job than the Python SDK's, whose event loop gathers them).
     */
    static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /**
     * Waits for a free slot; returns how many are free now, all of them taken for one claim. When
     * other jobs still run, it first gathers the slots that come free within {@link #GATHER_NANOS}
     * (an idle bot claims at once).
     */
    int takeFreeSlots() throws InterruptedException {
        slots.acquire();
        int taken = 1 + slots.drainPermits();
        long deadline = System.nanoTime() + GATHER_NANOS;
        long left;
        while (taken < settings.concurrency() && (left = deadline - System.nanoTime()) > 0) {
            if (slots.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                taken += 1 + slots.drainPermits();
            }
        }
        return taken;
    }

    /** Gives back slots a claim did not fill. */
    void giveBack(int count) {
        slots.release(count);
    }

    /** Runs a claimed job's handler on a worker thread (its slot was taken by the claim). */
    void start(RuntimeApi.ClaimedJob claimed) {
        RunningJob r = new RunningJob(claimed, claimed.correlationId() != null ? claimed.correlationId()
                : api.correlationId(claimed.job()));
        running.put(r.id(), r);
        workers.execute(() -> work(r));
    }

    /** The job with this id, if this bot works on it now. */
    RunningJob get(String id) {
        return running.get(id);
    }

    List<String> runningIds() {
        return List.copyOf(running.keySet());
    }

    /** Stops every handler without reporting (superseded, or the shutdown grace is over). */
    void abandonAll() {
        running.values().forEach(RunningJob::abandon);
    }

    /**
     * Gives every running job back to the runtime at once (a drain's grace ran out while the bot
     * stays up): each handler is stopped and its job released, the attempt not counted.
     */
    void giveBackAll() {
        for (RunningJob r : List.copyOf(running.values())) {
            if (r.giveBack()) {
                logRefusal(r, "release", () -> api.release(identity, r.claimed, r.correlationId));
            }
        }
    }

    /** Waits until no job runs, or until the deadline ({@link BotClock#nanoTime()}); true when none runs. */
    boolean awaitIdle(long deadlineNanos) {
        while (!running.isEmpty() && settings.clock().nanoTime() < deadlineNanos) {
            try {
                settings.clock().sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return running.isEmpty();
    }

    /** No more handlers: what still runs is interrupted. */
    void shutdownNow() {
        workers.shutdownNow();
    }

    /** Runs the handler and reports its outcome. */
    void work(RunningJob r) {
        r.runsOn(Thread.currentThread());
        // the handler's log lines, and the SDK's about this job, carry the job's id and correlation id
        MDC.put(CORRELATION_ID, r.correlationId);
        MDC.put(JOB_ID, r.id());
        try {
            if (r.stopped()) {
                // taken back (cancelled, lost, superseded) before a worker thread got to it
                stopped(r);
                return;
            }
            JobHandler handler = settings.handlers().get(r.job().type());
            if (handler == null) {
                fail(r, "no handler for job type " + r.job().type(), true);
                return;
            }
            JsonValue result;
            try {
                result = handler.handle(r.job(), r);
            } catch (NonRetryableException e) {
                fail(r, String.valueOf(e.getMessage()), false);
                return;
            } catch (InterruptedException e) {
                stopped(r);
                return;
            } catch (Exception e) {
                if (r.stopped()) {
                    stopped(r);
                } else {
                    fail(r, e.toString(), true);
                }
                return;
            }
            if (r.stopped()) {
                stopped(r);
                return;
            }
            Thread.interrupted(); // a stray interrupt must not abort the report
            beginReport(r);
            if (!superseded.getAsBoolean()) {
                logRefusal(r, "complete", () -> {
                    RuntimeApi.Reported answer = api.complete(identity, r.claimed, result, r.correlationId);
                    if (answer.status() == 413) {
                        // the result is over the runtime's limit: it will be no smaller next time
                        LOG.log(System.Logger.Level.WARNING, "Job " + r.id() + ": the runtime refused its result ("
                                + answer.detail() + "); failing the job as not retryable");
                        return api.fail(identity, r.claimed, "result refused: " + answer.detail(), false,
                                r.correlationId);
                    }
                    return answer;
                });
            }
        } finally {
            running.remove(r.id());
            freeSlot(r);
            MDC.remove(CORRELATION_ID);
            MDC.remove(JOB_ID);
        }
    }

    /** The handler stopped early: say why, and fail the attempt only when nobody asked it to stop. */
    private void stopped(RunningJob r) {
        if (r.cancelled()) {
            LOG.log(System.Logger.Level.INFO, "Job " + r.id() + " stopped: it was cancelled");
        } else if (r.wasAbandoned()) {
            LOG.log(System.Logger.Level.INFO, "Job " + r.id() + " stopped: " + (r.wasLost()
                    ? "the runtime took it back; nothing is reported"
                    : superseded.getAsBoolean() ? "this process was superseded; nothing is reported"
                    : "shutdown; the runtime gets it back"));
        } else {
            LOG.log(System.Logger.Level.WARNING, "Job " + r.id() + "'s handler was interrupted; failing the attempt");
            Thread.interrupted();
            fail(r, "handler interrupted", true);
        }
    }

    private void fail(RunningJob r, String error, boolean retryable) {
        beginReport(r);
        if (!superseded.getAsBoolean()) {
            logRefusal(r, "fail", () -> api.fail(identity, r.claimed, error, retryable, r.correlationId));
        }
    }

    /** The handler is done: its slot may take the next job while the outcome is reported. */
    private void beginReport(RunningJob r) {
        r.reporting();
        freeSlot(r);
    }

    private void freeSlot(RunningJob r) {
        if (r.freeSlot()) {
            slots.release();
        }
    }

    private void logRefusal(RunningJob r, String action, java.util.function.Supplier<RuntimeApi.Reported> report) {
        try {
            RuntimeApi.Reported answer = report.get();
            if (answer.jobGone()) {
                LOG.log(System.Logger.Level.WARNING, "Job " + r.id() + ": " + action + " refused (HTTP "
                        + answer.status() + "): " + answer.detail() + " — this bot no longer holds it");
            } else if (!answer.accepted()) {
                LOG.log(System.Logger.Level.WARNING, "Job " + r.id() + ": " + action + " refused (HTTP "
                        + answer.status() + "): " + answer.detail());
            }
        } catch (ServerFailure e) {
            LOG.log(System.Logger.Level.ERROR, "Job " + r.id() + ": could not " + action + " after every retry; "
                    + "its lease will expire and the runtime will recover it");
        }
    }

    /** The jobs being worked on now. */
    Collection<RunningJob> jobs() {
        return running.values();
    }
}
