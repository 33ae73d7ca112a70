package io.shepherd.runtime.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;

/**
 * What the runtime remembers of idle bots' long polls, so that an idle poll costs the database
 * nothing of its own. A bot whose poll ran out finding nothing, and that asks again at once for
 * the same types in the same session, need not look again while no signal told of jobs of those
 * types since its last look ({@link JobSignal#quietSince}): its poll goes straight to waiting. Its
 * liveness — a poll counts as a heartbeat from when it begins — is then written with every other
 * such poll's in one statement every {@code beatsEvery}, at the earliest of their starts, and that
 * statement checks each session: a poll whose session was superseded (or whose bot is gone) is woken
 * to be refused, one whose bot drains is woken to be told.
 */
final class QuietPolls {
    /** A bot's poll that ran out finding nothing: its session, the types it waited for, the signals' mark of its look. */
    private record Quiet(String session, List<String> types, long mark, long endedNanos) {
    }

    /** A poll's heartbeat not written yet: its session and when it began. */
    private record Beat(String session, long at) {
    }

    /** At most this many bots a statement. */
    private static final int BEATS_A_STATEMENT = 500;

    private final Stores stores;
    private final JobSignal signal;
    /** How soon after its last poll ran out a bot's next counts as "at once". */
    private final long gapNanos;
    private final Map<String, Quiet> quiet = new ConcurrentHashMap<>();
    private final Map<String, Beat> beats = new ConcurrentHashMap<>();

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
        beats.merge(botId, new Beat(session, at), (old, now) -> old.session.equals(now.session) && old.at <= now.at ? old : now);
    }

    /**
     * Writes the heartbeats that came in since the last time, and wakes the polls their statement
     * found superseded or draining. When the database is away they are kept for the next time.
     */
    void write() {
        if (beats.isEmpty()) {
            return;
        }
        Map<String, Beat> taken = new LinkedHashMap<>();
        for (String botId : List.copyOf(beats.keySet())) {
            Beat beat = beats.remove(botId);
            if (beat != null) {
                taken.put(botId, beat);
            }
        }
        List<Map.Entry<String, Beat>> all = new ArrayList<>(taken.entrySet());
        for (int from = 0; from < all.size(); from += BEATS_A_STATEMENT) {
            List<Map.Entry<String, Beat>> some = all.subList(from, Math.min(all.size(), from + BEATS_A_STATEMENT));
            Map<String, String> sessions = new HashMap<>(some.size() * 2);
            long at = Long.MAX_VALUE;
            for (Map.Entry<String, Beat> e : some) {
                sessions.put(e.getKey(), e.getValue().session);
                at = Math.min(at, e.getValue().at); // the earliest start: no bot counts as live longer than it is
            }
            Map<String, Boolean> drains;
            try {
                drains = stores.bots().heartbeats(stores.database().execute(), sessions, at);
            } catch (RuntimeException e) {
                all.subList(from, all.size()).forEach(b -> beats.putIfAbsent(b.getKey(), b.getValue()));
                throw e;
            }
            for (String botId : sessions.keySet()) {
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
