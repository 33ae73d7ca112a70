package io.shepherd.bot;

import jakarta.json.JsonValue;

/**
 * A job this bot works on: its lease, the handler's thread, and why the handler may have to
 * stop. The handler sees it as its {@link JobContext}.
 */
final class RunningJob implements JobContext {
    final RuntimeApi.ClaimedJob claimed;
    final String correlationId;
    private volatile Thread thread;
    private volatile boolean cancelled;
    /** Stop without reporting anything (superseded, given back at shutdown, or no longer this bot's). */
    private volatile boolean abandoned;
    /** The runtime says this bot no longer holds the job. */
    private volatile boolean lost;
    /** The handler is done and its outcome is on its way: a late "lost" must not abort it. */
    private volatile boolean reporting;
    /** Whether this job's slot was given back (once its handler is done, before its report). */
    private boolean slotFreed;
    private volatile JsonValue progress;
    /** The runtime's default {@code limits.max-progress}. */
    static final int MAX_PROGRESS_BYTES = 4096;

    RunningJob(RuntimeApi.ClaimedJob claimed, String correlationId) {
        this.claimed = claimed;
        this.correlationId = correlationId;
    }

    Job job() {
        return claimed.job();
    }

    String id() {
        return claimed.job().id();
    }

    /** The worker thread that runs the handler; from now on an interrupt reaches it. */
    void runsOn(Thread worker) {
        this.thread = worker;
    }

    /** The runtime cancelled the job: the handler is interrupted, its outcome dropped. */
    void cancel() {
        cancelled = true;
        interruptHandler();
    }

    /**
     * The runtime no longer counts this job as this bot's: the handler is stopped and nothing is
     * reported — unless its outcome is already on its way, or it was cancelled (told as such).
     * Returns whether the handler was stopped.
     */
    boolean lose() {
        if (reporting || cancelled) {
            return false;
        }
        lost = true;
        abandoned = true;
        interruptHandler();
        return true;
    }

    /**
     * Given back to the runtime (a drain's grace ran out): the handler is stopped and nothing is
     * reported — unless its outcome is already on its way or it was cancelled. Returns whether
     * the job is to be released.
     */
    boolean giveBack() {
        if (reporting || cancelled) {
            return false;
        }
        abandoned = true;
        interruptHandler();
        return true;
    }

    /** Stop without reporting (superseded, or given back at shutdown). */
    void abandon() {
        abandoned = true;
        interruptHandler();
    }

    /** Whether the handler must stop without its outcome counting. */
    boolean stopped() {
        return cancelled || abandoned;
    }

    boolean wasLost() {
        return lost;
    }

    boolean wasAbandoned() {
        return abandoned;
    }

    /** The outcome is on its way to the runtime. */
    void reporting() {
        reporting = true;
    }

    /** Marks the slot given back; true the first time. */
    synchronized boolean freeSlot() {
        if (slotFreed) {
            return false;
        }
        slotFreed = true;
        return true;
    }

    JsonValue currentProgress() {
        return progress;
    }

    private void interruptHandler() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public boolean cancelled() {
        return cancelled;
    }

    @Override
    public String correlationId() {
        return correlationId;
    }

    @Override
    public void progress(JsonValue value) {
        if (value != null) {
            int size = value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (size > MAX_PROGRESS_BYTES) {
                throw new IllegalArgumentException("progress is " + size + " bytes of JSON; the runtime keeps at most "
                        + MAX_PROGRESS_BYTES + " (report a summary: counts, a phase, a percentage)");
            }
        }
        this.progress = value;
    }
}
