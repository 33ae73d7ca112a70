package io.shepherd.runtime.schedule;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.regex.Pattern;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.shepherd.runtime.core.Names;

/**
 * One recurring schedule: which job it makes (type, queue, payload) and when — a standard 5-field
 * cron expression in a time zone, or a fixed interval (slots at whole multiples of it since the
 * epoch, so every replica agrees on them) — with its overlap and misfire rules.
 *
 * @param payload JSON text, or null
 */
public record ScheduleSpec(String name, String type, String queue, String payload, String cron, Duration every,
                           ZoneId zone, Overlap overlap, Misfire misfire) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    /** The shortest interval: the scheduler looks every second. */
    public static final Duration MIN_EVERY = Duration.ofSeconds(1);

    /** What to do with a slot while the schedule's previous job is still pending or claimed. */
    public enum Overlap {
        /** Make no job for the slot. */
        SKIP,
        /** Make it anyway. */
        ALLOW;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What to do with slots that passed while no replica could make their jobs (all were down). */
    public enum Misfire {
        /** Make one job for the latest missed slot. */
        RUN_ONCE,
        /** Make none; go on from the next slot. */
        SKIP;

        public String wire() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public ScheduleSpec {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a schedule's name is 1 to 100 letters, digits, '.', '_' or '-', was "
                    + name);
        }
        if (!Names.name(type)) {
            throw new IllegalArgumentException(name + ".type must be a job type of " + Names.NAME_RULE);
        }
        if (queue == null) {
            queue = "default";
        }
        if (!Names.name(queue)) {
            throw new IllegalArgumentException(name + ".queue must be " + Names.NAME_RULE);
        }
        if ((cron == null) == (every == null)) {
            throw new IllegalArgumentException(name + " needs exactly one of cron (5 fields, e.g. \"0 3 * * *\") "
                    + "and every (e.g. PT30S)");
        }
        if (cron != null) {
            try {
                PARSER.parse(cron).validate();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ".cron is not a 5-field cron expression (minute hour "
                        + "day-of-month month day-of-week): " + cron + " (" + e.getMessage() + ")");
            }
        }
        if (every != null && every.compareTo(MIN_EVERY) < 0) {
            throw new IllegalArgumentException(name + ".every must be at least " + MIN_EVERY + ", was " + every);
        }
        if (zone == null) {
            zone = ZoneId.of("UTC");
        }
        if (overlap == null) {
            overlap = Overlap.SKIP;
        }
        if (misfire == null) {
            misfire = Misfire.RUN_ONCE;
        }
    }

    /** The first slot strictly after {@code afterMillis}. */
    public long nextSlotAfter(long afterMillis) {
        if (every != null) {
            long step = every.toMillis();
            return Math.floorDiv(afterMillis, step) * step + step;
        }
        ZonedDateTime after = Instant.ofEpochMilli(afterMillis).atZone(zone);
        return execution().nextExecution(after).map(t -> t.toInstant().toEpochMilli())
                .orElse(Long.MAX_VALUE);
    }

    /** The latest slot at or before {@code nowMillis} (never before {@code floorMillis}, the first one due). */
    public long latestSlotAtOrBefore(long nowMillis, long floorMillis) {
        if (every != null) {
            long step = every.toMillis();
            return Math.max(floorMillis, Math.floorDiv(nowMillis, step) * step);
        }
        ZonedDateTime justAfter = Instant.ofEpochMilli(nowMillis + 1).atZone(zone);
        return execution().lastExecution(justAfter).map(t -> Math.max(floorMillis, t.toInstant().toEpochMilli()))
                .orElse(floorMillis);
    }

    private ExecutionTime execution() {
        return ExecutionTime.forCron(PARSER.parse(cron));
    }

    /** The idempotency key of a slot's job: replicas racing for the slot insert it once. */
    public String slotKey(long slot) {
        return "schedule:" + name + ":" + slot;
    }

    /** Reads a zone id, naming the key on error. */
    public static ZoneId zone(String where, String text) {
        try {
            return ZoneId.of(text);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(where + " is not a time zone (e.g. UTC, Europe/Berlin): " + text);
        }
    }

    public static Overlap overlap(String where, String text) {
        for (Overlap o : Overlap.values()) {
            if (o.wire().equals(text)) {
                return o;
            }
        }
        throw new IllegalArgumentException(where + " must be skip or allow, was " + text);
    }

    public static Misfire misfire(String where, String text) {
        for (Misfire m : Misfire.values()) {
            if (m.wire().equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException(where + " must be run-once or skip, was " + text);
    }
}
