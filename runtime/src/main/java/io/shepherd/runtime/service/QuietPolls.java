package io.shepherd.runtime.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.shepherd.runtime.store.BotStore;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/**
 * What the runtime remembers of idle bots' long polls, so that an idle poll costs the database
 * nothing of its own. A bot whose poll ran out finding nothing, and that asks again at once for
 * the same types in the same session, need not look again while no signal told of jobs of those
 * types since its last look ({@link JobSignal#quietSince}): its poll goes straight to waiting. Its
 * liveness — a poll counts as a heartbeat from when it begins — is then written with every other
 * such poll's in one statement every {@link io.shepherd.runtime.core.Settings#quietBeatsEvery},
 * each at its own start, and that
 * statement checks each session: a poll whose session was superseded (or whose bot is gone) is woken
 * to be refused, one whose bot drains is woken to be told.
 */
final class QuietPolls {
    /** A bot's poll that ran out finding nothing: its session, the types it waited for, the signals' mark of its look. */
    private record Quiet(String session, List<String> types, long mark, long endedNanos) {
    }

    /** At most this many bots a statement. */
    private static final int BEATS_A_STATEMENT = 500;

    private final Stores stores;
    private final JobSignal signal;
    /** How soon after its last poll ran out a bot's next counts as "at once". */
    private final long gapNanos;
    private final Map<String, Quiet> quiet = new ConcurrentHashMap<>();
    /** The heartbeats not written yet: by bot, its session and when its latest such poll began. */
    private final Map<String, BotStore.Seen> beats = new ConcurrentHashMap<>();

    QuietPolls(Stores stores, JobSignal signal, long gapNanos) {
        this.stores = stores;
        this.signal = signal;
        this.gapNanos = gapNanos;
    }

    /**
     * The signals' mark of the bot's last look when its last poll ran out finding nothing moments
     * ago, for the same session and types — the caller then asks {@link JobSignal#quietSince} that
     * mark once it waits; else -1. Either way the bot's record is used up.
     */
    long lastLook(String botId, String session, List<String> types) {
        Quiet last = quiet.remove(botId);
        if (last == null || !last.session.equals(session) || !last.types.equals(types)
                || System.nanoTime() - last.endedNanos > gapNanos) {
            return -1;
        }
        return last.mark;
    }

    /** The bot's poll ran out finding nothing since the look made at {@code mark}. */
    void ranOut(String botId, String session, List<String> types, long mark) {
        if (quiet.size() > 10_000) {
            quiet.clear(); // bots that stopped polling; the others just look once more
        }
        quiet.put(botId, new Quiet(session, types, mark, System.nanoTime()));
    }

    /** A poll that did not look began at {@code at}: its heartbeat, written with the others'. */
    void beat(String botId, String session, long at) {
        beats.merge(botId, new BotStore.Seen(session, at), QuietPolls::latest);
    }

    /** Of two polls of a bot, the later begun: its latest sign of life (a newer session's poll begins later). */
    private static BotStore.Seen latest(BotStore.Seen a, BotStore.Seen b) {
        return a.at() > b.at() ? a : b;
    }

    /**
     * Writes the heartbeats that came in since the last time, and wakes the polls their statement
     * found superseded or draining. When the database is away they are kept for the next time.
     */
    void write() {
        if (beats.isEmpty()) {
            return;
        }
        List<Map.Entry<String, BotStore.Seen>> all = new ArrayList<>(beats.size());
        for (String botId : List.copyOf(beats.keySet())) {
            BotStore.Seen seen = beats.remove(botId);
            if (seen != null) {
                all.add(Map.entry(botId, seen));
            }
        }
        for (int from = 0; from < all.size(); from += BEATS_A_STATEMENT) {
            Map<String, BotStore.Seen> some = new HashMap<>();
            all.subList(from, Math.min(all.size(), from + BEATS_A_STATEMENT)).forEach(e -> some.put(e.getKey(), e.getValue()));
            Map<String, Boolean> drains;
            try {
                drains = stores.bots().heartbeats(stores.database().execute(), some);
            } catch (RuntimeException e) {
                // kept for the next time, unless the bot began a later poll since
                all.subList(from, all.size()).forEach(b -> beats.merge(b.getKey(), b.getValue(), QuietPolls::latest));
                throw e;
            }
            for (String botId : some.keySet()) {
                Boolean drain = drains.get(botId);
                if (drain == null || drain) {
                    quiet.remove(botId);
                    if (drain == null) {
                        signal.superseded(botId);
                    } else {
                        signal.drained(botId);
                    }
                }
            }
        }
    }
}
