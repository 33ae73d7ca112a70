package io.shepherd.bot;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The outcomes on their way to the runtime. Handlers' threads leave them here and go on; they
 * travel in batches through {@code /exchange}: with the {@link Claimer}'s next claim when one is
 * about to be made (a handler that finishes frees a slot, which wakes the claimer), and otherwise,
 * once the oldest has waited {@link #LINGER_NANOS}, on their own from this class's thread. A batch
 * whose fate is unknown (no answer after every retry, the call interrupted) goes back to the front
 * of the queue: sending a completion again is harmless, and a report is never dropped while the
 * bot runs.
 */
final class Reports implements Runnable {
    private static final System.Logger LOG = System.getLogger(Reports.class.getName());
    /** The longest a report waits for a claim to carry it. */
    static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** The most reports one call carries (the runtime takes up to 100). */
    static final int MAX_BATCH = 100;
    /** Roughly the most characters of results and errors one call carries (the runtime's body limit is 1 MiB by default). */
    static final int MAX_BATCH_CHARS = 256 * 1024;

    /** One outcome to send, and who hears its answer ({@code null}: the bot stopped before it could be sent). */
    record Outgoing(RuntimeApi.Report report, long queuedAt, Consumer<RuntimeApi.Reported> answered) {
    }

    private final RuntimeApi api;
    private final StartUp.Session session;
    private final BotControl bot;
    private final BotClock clock;
    private final BooleanSupplier stopped;
    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();

    Reports(RuntimeApi api, StartUp.Session session, BotControl bot, BotClock clock, BooleanSupplier stopped) {
        this.api = api;
        this.session = session;
        this.bot = bot;
        this.clock = clock;
        this.stopped = stopped;
    }

    /** Queues a report; {@code answered} hears the runtime's answer to it. */
    void add(RuntimeApi.Report report, Consumer<RuntimeApi.Reported> answered) {
        lock.lock();
        try {
            queue.addLast(new Outgoing(report, System.nanoTime(), answered));
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Takes the reports waiting now (a batch's worth at most); empty when none wait. */
    List<Outgoing> take() {
        lock.lock();
        try {
            List<Outgoing> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
            int chars = 0;
            while (!queue.isEmpty() && batch.size() < MAX_BATCH
                    && (batch.isEmpty() || chars + queue.peekFirst().report().size() <= MAX_BATCH_CHARS)) {
                Outgoing next = queue.pollFirst();
                chars += next.report().size();
                batch.add(next);
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** How many reports wait to be sent. */
    int waiting() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Puts a batch whose fate is unknown back in front, to be sent again. */
    void putBack(List<Outgoing> batch) {
        if (batch.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            for (int i = batch.size() - 1; i >= 0; i--) {
                queue.addFirst(batch.get(i));
            }
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Hands each report its answer. {@code answers} null means the runtime refused the call as a
     * whole (this process was superseded or its token revoked): nothing was reported, and the
     * bot stops; each report hears {@code null}.
     */
    static void answer(List<Outgoing> batch, List<RuntimeApi.Reported> answers) {
        for (int i = 0; i < batch.size(); i++) {
            RuntimeApi.Reported answer = answers == null || i >= answers.size() ? null : answers.get(i);
            try {
                batch.get(i).answered().accept(answer);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "Handling the answer to a report failed", e);
            }
        }
    }

    /** Sends, on their own, the reports no claim carried within {@link #LINGER_NANOS}; until interrupted. */
    @Override
    public void run() {
        while (!stopped.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
            try {
                awaitLingered();
            } catch (InterruptedException e) {
                return;
            }
            List<Outgoing> batch = take();
            if (batch.isEmpty()) {
                continue; // a claim took them meanwhile
            }
            try {
                send(batch);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Waits until the oldest report has waited {@link #LINGER_NANOS}. */
    private void awaitLingered() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                Outgoing oldest = queue.peekFirst();
                if (oldest == null) {
                    added.await();
                    continue;
                }
                long left = oldest.queuedAt() + LINGER_NANOS - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                added.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private void send(List<Outgoing> batch) throws InterruptedException {
        RuntimeApi.Exchanged sent;
        try {
            sent = api.exchange(session.identity(), session.id(), batch.stream().map(Outgoing::report).toList(), 0,
                    java.time.Duration.ZERO);
        } catch (ServerFailure e) {
            LOG.log(System.Logger.Level.WARNING, batch.size() + " report(s) not answered after every retry; "
                    + "sending them again (a lease that runs out meanwhile is recovered by the runtime)");
            putBack(batch);
            clock.sleep(1000);
            return;
        } catch (RuntimeException e) {
            putBack(batch);
            if (stopped.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopped while reporting");
            }
            LOG.log(System.Logger.Level.WARNING, "Reporting failed (" + e + "); sending again");
            clock.sleep(1000);
            return;
        }
        handOut(batch, sent, bot);
    }

    /**
     * Gives each report of an exchange its answer and acts on a refusal of the whole call: a
     * superseded process or a revoked token stops the bot.
     */
    static void handOut(List<Outgoing> batch, RuntimeApi.Exchanged sent, BotControl bot) {
        answer(batch, sent.answers());
        RuntimeApi.Claimed claimed = sent.claimed();
        if (claimed.revoked() != null) {
            bot.revoke(claimed.revoked());
        } else if (claimed.superseded() != null) {
            bot.supersede(claimed.superseded());
        } else if (claimed.refused() != null && sent.answers() == null && !batch.isEmpty()) {
            LOG.log(System.Logger.Level.ERROR, batch.size() + " report(s) refused as a whole: " + claimed.refused());
        }
    }
}
