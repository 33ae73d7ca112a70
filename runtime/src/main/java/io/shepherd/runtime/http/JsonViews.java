package io.shepherd.runtime.http;

import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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
    public static JsonObject job(JobRow job) {
        return job(job, true);
    }

    /**
     * One job as a list shows it: everything but its payload, result and progress, which can each
     * be hundreds of kilobytes; a page of them stays small however deep it is. Read the job by id
     * for those.
     */
    public static JsonObject jobSummary(JobRow job) {
        return job(job, false);
    }

    private static JsonObject job(JobRow job, boolean whole) {
        JsonObjectBuilder b = BUILDERS.createObjectBuilder()
                .add("id", job.id())
                .add("type", job.type())
                .add("queue", job.queue());
        if (whole) {
            b.add("payload", json(job.payload()));
        }
        b.add("priority", job.priority())
                .add("status", job.status().wire())
                .add("attempt", job.attempt())
                .add("maxAttempts", job.maxAttempts())
                .add("runAt", time(job.runAt()))
                .add("createdAt", time(job.createdAt()))
                .add("updatedAt", time(job.updatedAt()));
        nullable(b, "claimedBy", job.status() == JobStatus.CLAIMED || job.status() == JobStatus.COMPLETED
                ? job.claimedBy() : null);
        nullableTime(b, "leaseExpiresAt", job.status() == JobStatus.CLAIMED ? job.leaseExpiresAt() : null);
        nullable(b, "timeoutMs", job.timeoutMs());
        nullableTime(b, "timeoutAt", job.status() == JobStatus.CLAIMED ? job.timeoutAt() : null);
        if (whole) {
            b.add("result", json(job.result()));
            b.add("progress", json(job.progress()));
        }
        nullable(b, "lastError", job.lastError());
        nullable(b, "correlationId", job.correlationId());
        return b.build();
    }

    /**
     * A claimed job as its bot gets it: what it needs to work and report (its payload as stored,
     * copied, not parsed), written straight into {@code text}.
     */
    static void claimed(JsonText text, JobRow job) {
        text.raw("{").member("id", job.id()).comma().member("type", job.type()).comma().member("queue", job.queue())
                .comma().name("payload").raw(job.payload() == null ? "null" : job.payload())
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

    /** {@code {"<field>": [claimed jobs]}} as text. */
    static JsonText claimedJobs(JsonText text, String field, List<JobRow> rows) {
        text.name(field).raw("[");
        for (int i = 0; i < rows.size(); i++) {
            if (i > 0) {
                text.comma();
            }
            claimed(text, rows.get(i));
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
        nullable(b, name, epochMillis == null ? null : time(epochMillis));
    }
}
