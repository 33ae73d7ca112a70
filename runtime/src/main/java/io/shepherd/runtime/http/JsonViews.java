package io.shepherd.runtime.http;

import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import io.shepherd.runtime.core.JobStatus;
import io.shepherd.runtime.store.BotRow;
import io.shepherd.runtime.store.JobEvent;
import io.shepherd.runtime.store.JobRow;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonValue;

/** How rows look on the wire (API.md): times as RFC 3339 UTC, JSON columns embedded as JSON. */
public final class JsonViews {
    static final JsonBuilderFactory BUILDERS = Json.createBuilderFactory(Map.of());
    static final JsonReaderFactory READERS = Json.createReaderFactory(Map.of());

    private JsonViews() {
    }

    /** One job, whole: what a submission, a read by id and a report answer. */
    static JsonText job(JsonText text, JobRow job) {
        return job(text, job, true);
    }

    /**
     * {@code "<field>": [jobs]}, whole or ({@code whole} false) as a list shows them: everything but
     * their payload, result and progress, which can each be hundreds of kilobytes, so a page of them
     * stays small however deep it is (read a job by id for those).
     */
    static JsonText jobs(JsonText text, String field, List<JobRow> rows, boolean whole) {
        return array(text, field, rows, (t, job) -> job(t, job, whole));
    }

    /**
     * Written straight into text, not built as a tree: the JSON columns (payload, result, progress)
     * as stored — JSON the runtime wrote after parsing it — copied, not parsed and written again; a
     * batch submission's answer of a thousand jobs was a quarter of its handler's time as a tree.
     */
    private static JsonText job(JsonText text, JobRow job, boolean whole) {
        boolean claimed = job.status() == JobStatus.CLAIMED;
        text.raw("{").member("id", job.id()).comma().member("type", job.type()).comma().member("queue", job.queue());
        if (whole) {
            text.comma().name("payload").json(job.payload());
        }
        text.comma().name("priority").number(job.priority())
                .comma().member("status", job.status().wire())
                .comma().name("attempt").number(job.attempt())
                .comma().name("maxAttempts").number(job.maxAttempts())
                .comma().member("runAt", time(job.runAt()))
                .comma().member("createdAt", time(job.createdAt()))
                .comma().member("updatedAt", time(job.updatedAt()))
                .comma().member("claimedBy", claimed || job.status() == JobStatus.COMPLETED ? job.claimedBy() : null)
                .comma().member("leaseExpiresAt", claimed ? timeOrNull(job.leaseExpiresAt()) : null)
                .comma().name("timeoutMs").number(job.timeoutMs())
                .comma().member("timeoutAt", claimed ? timeOrNull(job.timeoutAt()) : null);
        if (whole) {
            text.comma().name("result").json(job.result()).comma().name("progress").json(job.progress());
        }
        return text.comma().member("lastError", job.lastError())
                .comma().member("correlationId", job.correlationId()).raw("}");
    }

    /**
     * A claimed job as its bot gets it: what it needs to work and report (its payload as stored,
     * copied, not parsed), written straight into {@code text}.
     */
    static void claimed(JsonText text, JobRow job) {
        text.raw("{").member("id", job.id()).comma().member("type", job.type()).comma().member("queue", job.queue())
                .comma().name("payload").json(job.payload())
                .comma().name("attempt").number(job.attempt())
                .comma().member("leaseToken", job.leaseToken())
                .comma().member("leaseExpiresAt", time(job.leaseExpiresAt()))
                .comma().member("correlationId", job.correlationId()).raw("}");
    }

    public static JsonObject bot(BotRow bot) {
        JsonArrayBuilder jobs = BUILDERS.createArrayBuilder();
        bot.jobs().forEach(jobs::add);
        JsonObjectBuilder b = BUILDERS.createObjectBuilder()
                .add("id", bot.id())
                .add("name", bot.name())
                .add("types", strings(bot.types()))
                .add("labels", json(bot.labels()))
                .add("status", bot.effectiveStatus().wire());
        nullable(b, "session", bot.session());
        b.add("drain", bot.drain());
        nullableTime(b, "sessionStartedAt", bot.session() == null ? null : bot.sessionStartedAt());
        return b.add("lastHeartbeatAt", time(bot.lastHeartbeatAt()))
                .add("registeredAt", time(bot.registeredAt()))
                .add("jobs", jobs)
                .build();
    }

    public static JsonObject event(JobEvent e) {
        JsonObjectBuilder b = BUILDERS.createObjectBuilder()
                .add("at", time(e.at()))
                .add("kind", e.kind().wire());
        nullable(b, "reason", e.reason());
        nullable(b, "botId", e.botId());
        return b.add("attempt", e.attempt()).build();
    }

    /** {@code "<field>": [claimed jobs]} as text. */
    static JsonText claimedJobs(JsonText text, String field, List<JobRow> rows) {
        return array(text, field, rows, JsonViews::claimed);
    }

    /** {@code "<field>": [items]}, each written by {@code item}. */
    private static <T> JsonText array(JsonText text, String field, List<T> items, BiConsumer<JsonText, T> item) {
        text.name(field).raw("[");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                text.comma();
            }
            item.accept(text, items.get(i));
        }
        return text.raw("]");
    }

    public static JsonObject counts(Map<String, Long> counts) {
        JsonObjectBuilder b = BUILDERS.createObjectBuilder();
        counts.forEach(b::add);
        return b.build();
    }

    public static JsonArrayBuilder strings(List<String> values) {
        JsonArrayBuilder array = BUILDERS.createArrayBuilder();
        values.forEach(array::add);
        return array;
    }

    public static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    static JsonValue json(String text) {
        if (text == null) {
            return JsonValue.NULL;
        }
        try (var reader = READERS.createReader(new StringReader(text))) {
            return reader.readValue();
        }
    }

    static void nullable(JsonObjectBuilder b, String name, String value) {
        if (value == null) {
            b.addNull(name);
        } else {
            b.add(name, value);
        }
    }

    static void nullable(JsonObjectBuilder b, String name, Long value) {
        if (value == null) {
            b.addNull(name);
        } else {
            b.add(name, value);
        }
    }

    /** A time (epoch milliseconds) as RFC 3339, or null. */
    static void nullableTime(JsonObjectBuilder b, String name, Long epochMillis) {
        nullable(b, name, timeOrNull(epochMillis));
    }

    private static String timeOrNull(Long epochMillis) {
        return epochMillis == null ? null : time(epochMillis);
    }
}
