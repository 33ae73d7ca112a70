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
 * each outcome handed to the {@link Reports}, which send it fenced by the job's lease token until
 * the runtime answers. A slot is free again as soon as its handler returns, so the report rides
 * with the next claim (the job stays this bot's, its lease kept by heartbeats, until the report is
 * answered). A job cancelled, lost or given back stops its handler and reports nothing.
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
    private final Reports reports;
    private final Map<String, RunningJob> running = new ConcurrentHashMap<>();
    /** A long poll of the claimer is in flight: the runtime counts it as this bot's liveness. */
    private volatile boolean polling;
    private final Semaphore slots;
    private final ExecutorService workers;

    Runner(BotSettings settings, RuntimeApi api, Identity identity, BooleanSupplier superseded, Reports reports) {
        this.reports = reports;
        this.settings = settings;
        this.api = api;
        this.identity = identity;
        this.superseded = superseded;
        this.slots = new Semaphore(settings.concurrency());
        // a thread per slot for handlers, and as many again: a slot comes free just before its
        // thread is back in the pool, and a job claimed in that moment must not wait for a thread
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

    /**
     * Runs the handler and hands its outcome to the {@link Reports}; the slot is free as soon as
     * the outcome is queued (queued first, so the claim the free slot wakes carries it). The job
     * stays this bot's — named in heartbeats — until the runtime answered its report.
     */
    void work(RunningJob r) {
        r.runsOn(Thread.currentThread());
        // the handler's log lines, and the SDK's about this job, carry the job's id and correlation id
        MDC.put(CORRELATION_ID, r.correlationId);
        MDC.put(JOB_ID, r.id());
        boolean reported = false;
        try {
            if (r.stopped()) {
                // taken back (cancelled, lost, superseded) before a worker thread got to it
                reported = stopped(r);
                return;
            }
            JobHandler handler = settings.handlers().get(r.job().type());
            if (handler == null) {
                reported = fail(r, "no handler for job type " + r.job().type(), true);
                return;
            }
            JsonValue result;
            try {
                result = handler.handle(r.job(), r);
            } catch (NonRetryableException e) {
                reported = fail(r, String.valueOf(e.getMessage()), false);
                return;
            } catch (InterruptedException e) {
                reported = stopped(r);
                return;
            } catch (Exception e) {
                reported = r.stopped() ? stopped(r) : fail(r, e.toString(), true);
                return;
            }
            if (r.stopped()) {
                reported = stopped(r);
                return;
            }
            Thread.interrupted(); // a stray interrupt must not abort the report
            reported = report(r, RuntimeApi.Report.complete(r.claimed, result));
        } finally {
            if (!reported) {
                running.remove(r.id());
            }
            freeSlot(r);
            MDC.remove(CORRELATION_ID);
            MDC.remove(JOB_ID);
        }
    }

    /**
     * The handler stopped early: say why, and fail the attempt only when nobody asked it to stop.
     * Returns whether a report was queued.
     */
    private boolean stopped(RunningJob r) {
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
            return fail(r, "handler interrupted", true);
        }
        return false;
    }

    private boolean fail(RunningJob r, String error, boolean retryable) {
        return report(r, RuntimeApi.Report.fail(r.claimed, error, retryable));
    }

    /** Queues the outcome (unless this process was superseded); returns whether it was queued. */
    private boolean report(RunningJob r, RuntimeApi.Report report) {
        r.reporting();
        if (superseded.getAsBoolean()) {
            return false;
        }
        reports.add(report, answer -> answered(r, report, answer));
        return true;
    }

    /**
     * The runtime answered a report (on the thread that sent it): a refusal is logged; a result
     * over the runtime's limit fails the job as not retryable (it will be no smaller next time).
     * Otherwise the job is no longer this bot's.
     */
    private void answered(RunningJob r, RuntimeApi.Report report, RuntimeApi.Reported answer) {
        MDC.put(CORRELATION_ID, r.correlationId);
        MDC.put(JOB_ID, r.id());
        try {
            String action = report.outcome();
            if (answer == null) {
                LOG.log(System.Logger.Level.WARNING, "Job " + r.id() + ": " + action + " not reported; this process "
                        + "stops, and the runtime recovers the job");
            } else if (answer.status() == 413 && action.equals("complete")) {
                LOG.log(System.Logger.Level.WARNING, "Job " + r.id() + ": the runtime refused its result ("
                        + answer.detail() + "); failing the job as not retryable");
                if (report(r, RuntimeApi.Report.fail(r.claimed, "result refused: " + answer.detail(), false))) {
                    return;
                }
            } else if (answer.jobGone()) {
                LOG.log(System.Logger.Level.WARNING, "Job " + r.id() + ": " + action + " refused (HTTP "
                        + answer.status() + "): " + answer.detail() + " — this bot no longer holds it");
            } else if (!answer.accepted()) {
                LOG.log(System.Logger.Level.WARNING, "Job " + r.id() + ": " + action + " refused (HTTP "
                        + answer.status() + "): " + answer.detail());
            }
            running.remove(r.id());
        } finally {
            MDC.remove(CORRELATION_ID);
            MDC.remove(JOB_ID);
        }
    }

    private void freeSlot(RunningJob r) {
        if (r.freeSlot()) {
            slots.release();
        }
    }

    private void logRefusal(RunningJob r, String action, java.util.function.Supplier<RuntimeApi.Reported> report) {
        try {
            RuntimeApi.Reported answer = report.get();
            if (!answer.accepted()) {
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

    /** The claimer says whether a long poll of its is in flight. */
    void polling(boolean inFlight) {
        polling = inFlight;
    }

    /**
     * Whether this bot holds nothing and waits in a long poll: the runtime counted the poll as a
     * heartbeat when it began and holds none longer than {@code lost-after} allows, so a heartbeat
     * has nothing to add (no lease to extend, nothing to hear of but a drain, which the poll's
     * answer brings).
     */
    boolean idleInLongPoll() {
        return polling && running.isEmpty();
    }
}
