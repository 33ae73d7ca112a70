package io.shepherd.bot;

import java.io.StringReader;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.helidon.http.Method;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;

/**
 * The runtime's HTTP API as a bot speaks it: one typed method per call, the paths and bodies in
 * this one place. Every call goes through the {@link RuntimeClient} (circuit breakers, failover,
 * retries); a 4xx answer is an answer, returned typed, never retried.
 */
final class RuntimeApi {
    /** Looked up once: {@code Json.createXxx()} looks the provider up on every call, a jar scan each time. */
    static final JsonProvider JSON = JsonProvider.provider();
    /** How long a call may wait for its answer, beyond a claim's own long poll. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final RuntimeClient client;
    private final String botName;

    RuntimeApi(RuntimeClient client, String botName) {
        this.client = client;
        this.botName = botName;
    }

    /** The first session of a newly registered bot, the identity to keep, and the runtime's longest long poll. */
    record Registered(Identity identity, String session, Duration claimWait) {
    }

    /** A session opened for a known identity: the jobs an earlier process held came back at once. */
    record Opened(String session, List<String> released, Duration claimWait) {
    }

    /**
     * The runtime's longest long poll, as it says ({@code claimWaitMs}); null from a runtime that
     * does not say, which does not count a poll as a heartbeat either.
     */
    private static Duration claimWait(JsonObject answer) {
        return answer.containsKey("claimWaitMs") ? Duration.ofMillis(answer.getJsonNumber("claimWaitMs").longValue())
                : null;
    }

    /**
     * What a heartbeat learned. {@code superseded} carries the runtime's words when another
     * process took this identity over; {@code revoked} when the runtime no longer accepts this
     * bot's token (401: an admin revoked it); {@code refused} when the beat was answered otherwise
     * than 200, 401 or 409.
     */
    record Beat(String superseded, String refused, List<String> cancel, List<String> lost, boolean drain,
                String revoked) {
        static Beat superseded(String detail) {
            return new Beat(detail, null, List.of(), List.of(), false, null);
        }

        static Beat refused(String detail) {
            return new Beat(null, detail, List.of(), List.of(), false, null);
        }

        static Beat revoked(String detail) {
            return new Beat(null, null, List.of(), List.of(), false, detail);
        }
    }

    /**
     * What a claim got: jobs (maybe none), or the words of a superseded session, a revoked token or
     * another refusal; {@code drain} when the runtime said an operator drained this bot.
     */
    record Claimed(List<ClaimedJob> jobs, String superseded, String refused, String revoked, boolean drain) {
        Claimed(List<ClaimedJob> jobs, String superseded, String refused, String revoked) {
            this(jobs, superseded, refused, revoked, false);
        }
    }

    /**
     * A job claimed by this bot, the lease token that fences its report, and the job's correlation
     * id (from its submission; null from a runtime that does not keep one).
     */
    record ClaimedJob(Job job, String leaseToken, String correlationId) {
    }

    /** How the runtime answered a report. */
    record Reported(int status, String detail) {
        boolean accepted() {
            return status >= 200 && status < 300;
        }

        /** 409, 403, 404: the job is no longer this bot's (released, recovered, re-claimed). */
        boolean jobGone() {
            return status == 409 || status == 403 || status == 404;
        }
    }

    List<String> servers() {
        return client.servers();
    }

    RuntimeClient client() {
        return client;
    }

    /** Whether this runtime says it is ready ({@code GET /ready}). */
    boolean ready(String server) {
        return client.ready(server, correlationId("ready"));
    }

    /** {@code POST /v1/bots}, retried until a runtime answers; a refusal throws. */
    Registered register(String enrollToken, Collection<String> types, Map<String, String> labels) {
        JsonArrayBuilder typeArray = JSON.createArrayBuilder();
        types.forEach(typeArray::add);
        JsonObjectBuilder labelObject = JSON.createObjectBuilder();
        labels.forEach(labelObject::add);
        ApiResponse answer = client.callRetrying(Method.POST, "/v1/bots", enrollToken, JSON.createObjectBuilder()
                .add("name", botName).add("types", typeArray).add("labels", labelObject).build(),
                CALL_TIMEOUT, correlationId("register"));
        if (answer.status() != 201) {
            throw new IllegalStateException("Registration refused: HTTP " + answer.status() + " " + answer.detail());
        }
        JsonObject body = answer.json();
        Identity identity = new Identity(body.getJsonObject("bot").getString("id"), body.getString("token"),
                body.getJsonNumber("heartbeatIntervalMs").longValue());
        return new Registered(identity, body.getString("session"), claimWait(body));
    }

    /**
     * {@code POST /v1/bots/{id}/sessions}, retried until a runtime answers. Empty when the runtime
     * does not know this identity (401, 404); any other refusal throws.
     */
    Optional<Opened> openSession(Identity identity) {
        ApiResponse answer = client.callRetrying(Method.POST, bot(identity) + "/sessions", identity.token(),
                JSON.createObjectBuilder().build(), CALL_TIMEOUT, correlationId("session"));
        if (answer.status() == 201) {
            JsonObject opened = answer.json();
            return Optional.of(new Opened(opened.getString("session"), strings(opened, "released"), claimWait(opened)));
        }
        if (answer.status() == 401 || answer.status() == 404) {
            return Optional.empty();
        }
        throw new IllegalStateException("Could not open a session for bot " + identity.botId() + ": HTTP "
                + answer.status() + " " + answer.detail());
    }

    /**
     * {@code POST /v1/bots/{id}/heartbeat}, once (the next beat is the retry), naming the jobs
     * this bot works on and their progress. Throws {@link ServerFailure} when no runtime answered.
     */
    Beat heartbeat(Identity identity, String session, Collection<String> jobs, Map<String, JsonValue> progress) {
        JsonArrayBuilder named = JSON.createArrayBuilder();
        jobs.forEach(named::add);
        JsonObjectBuilder progressObject = JSON.createObjectBuilder();
        progress.forEach(progressObject::add);
        ApiResponse answer = client.callOnce(Method.POST, bot(identity) + "/heartbeat", identity.token(),
                JSON.createObjectBuilder().add("session", session).add("jobs", named).add("progress", progressObject)
                        .build(), Duration.ofSeconds(10), correlationId("heartbeat"));
        if (answer.status() == 409) {
            return Beat.superseded(answer.detail());
        }
        if (answer.status() == 401) {
            return Beat.revoked(answer.detail());
        }
        if (!answer.ok()) {
            return Beat.refused("HTTP " + answer.status() + " " + answer.detail());
        }
        JsonObject body = answer.json();
        return new Beat(null, null, strings(body, "cancel"), strings(body, "lost"), body.getBoolean("drain", false),
                null);
    }

    /**
     * {@code POST /v1/bots/{id}/claim}: up to {@code max} jobs, waiting up to {@code wait} for
     * work; retried while no runtime answers (throws {@link ServerFailure} when the retries ran out).
     */
    Claimed claim(Identity identity, String session, int max, Duration wait) {
        ApiResponse answer = client.callRetrying(Method.POST, bot(identity) + "/claim", identity.token(),
                JSON.createObjectBuilder().add("session", session).add("max", max).add("waitMs", wait.toMillis()).build(),
                wait.plusSeconds(15), correlationId("claim"));
        if (answer.status() == 204) {
            return new Claimed(List.of(), null, null, null);
        }
        if (answer.status() != 200) {
            return refusedClaim(answer);
        }
        return new Claimed(jobs(answer.json()), null, null, null);
    }

    /** A claim that got no 200: superseded (409), revoked (401), or refused otherwise. */
    private static Claimed refusedClaim(ApiResponse answer) {
        if (answer.status() == 409) {
            return new Claimed(List.of(), answer.detail(), null, null);
        }
        if (answer.status() == 401) {
            return new Claimed(List.of(), null, null, answer.detail());
        }
        return new Claimed(List.of(), null, "HTTP " + answer.status() + " " + answer.detail(), null);
    }

    private static List<ClaimedJob> jobs(JsonObject body) {
        return body.getJsonArray("jobs").getValuesAs(JsonObject.class).stream()
                .map(j -> new ClaimedJob(new Job(j.getString("id"), j.getString("type"), j.getString("queue"),
                        j.get("payload"), j.getInt("attempt")), j.getString("leaseToken"),
                        j.getString("correlationId", null)))
                .toList();
    }

    /** The longest error text sent: the runtime keeps a few kilobytes; the whole text belongs in the bot's log. */
    static final int MAX_ERROR_CHARS = 2000;

    /**
     * One job's outcome as {@code /exchange} carries it: {@code complete} with its result, or
     * {@code fail} with its error text (cut to {@link #MAX_ERROR_CHARS}) and whether a retry may help;
     * {@code size}: about how many characters it adds to a request (its result or error dominates).
     */
    record Report(ClaimedJob claimed, JsonObject json, int size) {
        static Report complete(ClaimedJob claimed, JsonValue result) {
            JsonValue value = result == null ? JsonValue.NULL : result;
            // taken once, here, not at every batching; a number or a boolean is small
            int chars = value instanceof JsonString text ? text.getString().length() + 2
                    : value instanceof JsonObject || value instanceof jakarta.json.JsonArray ? value.toString().length()
                    : 32;
            return new Report(claimed, JSON.createObjectBuilder().add("jobId", claimed.job().id())
                    .add("leaseToken", claimed.leaseToken()).add("outcome", "complete").add("result", value).build(),
                    120 + chars);
        }

        static Report fail(ClaimedJob claimed, String error, boolean retryable) {
            String text = cut(error);
            return new Report(claimed, JSON.createObjectBuilder().add("jobId", claimed.job().id())
                    .add("leaseToken", claimed.leaseToken()).add("outcome", "fail").add("error", text)
                    .add("retryable", retryable).build(), 120 + text.length());
        }

        String outcome() {
            return json.getString("outcome");
        }
    }

    /**
     * What an exchange got: each report's answer in the reports' order ({@code null} when the
     * request was refused as a whole, so no report was looked at), and what its claim got.
     */
    record Exchanged(List<Reported> answers, Claimed claimed) {
    }

    /**
     * {@code POST /v1/bots/{id}/exchange}: the reports, and a claim of up to {@code max} jobs
     * waiting up to {@code wait} (none when {@code max} is 0); retried while no runtime answers
     * (throws {@link ServerFailure} when the retries ran out). A report sent again after its
     * answer was lost is harmless: a repeated completion is accepted again, anything else refused.
     */
    Exchanged exchange(Identity identity, String session, List<Report> reports, int max, Duration wait) {
        JsonArrayBuilder sent = JSON.createArrayBuilder();
        reports.forEach(r -> sent.add(r.json()));
        JsonObjectBuilder body = JSON.createObjectBuilder().add("session", session).add("reports", sent);
        if (max > 0) {
            body.add("max", max).add("waitMs", wait.toMillis());
        }
        ApiResponse answer = client.callRetrying(Method.POST, bot(identity) + "/exchange", identity.token(),
                body.build(), max > 0 ? wait.plusSeconds(15) : CALL_TIMEOUT,
                correlationId(reports.isEmpty() ? "claim" : "exchange"));
        JsonObject json = answer.status() == 200 || answer.status() == 409 ? parseOrEmpty(answer.body()) : null;
        List<Reported> answers = json == null || !json.containsKey("reports") ? null
                : json.getJsonArray("reports").getValuesAs(JsonObject.class).stream()
                        .map(a -> new Reported(a.getInt("status"), a.getString("detail", a.getString("jobStatus", ""))))
                        .toList();
        if (answer.status() == 200) {
            return new Exchanged(answers, new Claimed(jobs(json), null, null, null, json.getBoolean("drain", false)));
        }
        return new Exchanged(answers, refusedClaim(answer));
    }

    private static JsonObject parseOrEmpty(String body) {
        try {
            return parse(body);
        } catch (RuntimeException e) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
    }

    private static String cut(String error) {
        return error.length() <= MAX_ERROR_CHARS ? error
                : error.substring(0, MAX_ERROR_CHARS) + "... (" + (error.length() - MAX_ERROR_CHARS) + " more characters)";
    }

    /** {@code POST /v1/jobs/{id}/release}: gives the job back at once, the attempt not counted. */
    Reported release(Identity identity, ClaimedJob claimed, String correlationId) {
        return report(identity, claimed, "release", JSON.createObjectBuilder().add("leaseToken", claimed.leaseToken())
                .build(), correlationId);
    }

    private Reported report(Identity identity, ClaimedJob claimed, String action, JsonObject body, String correlationId) {
        ApiResponse answer = client.callRetrying(Method.POST, "/v1/jobs/" + claimed.job().id() + "/" + action,
                identity.token(), body, CALL_TIMEOUT, correlationId);
        return new Reported(answer.status(), answer.detail());
    }

    /** {@code DELETE /v1/bots/{id}}, once: the runtime takes back what the bot still holds, at once. */
    Reported deregister(Identity identity) {
        ApiResponse answer = client.callOnce(Method.DELETE, bot(identity), identity.token(), null, Duration.ofSeconds(5),
                correlationId("deregister"));
        return new Reported(answer.status(), answer.detail());
    }

    /** The correlation id of a job's calls: the bot, the job, and a random part. */
    String correlationId(Job job) {
        return botName + "-" + job.id().substring(0, Math.min(8, job.id().length())) + "-" + random();
    }

    private String correlationId(String what) {
        return botName + "-" + what + "-" + random();
    }

    private static String random() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static String bot(Identity identity) {
        return "/v1/bots/" + identity.botId();
    }

    static List<String> strings(JsonObject json, String field) {
        if (!json.containsKey(field) || json.isNull(field)) {
            return List.of();
        }
        return json.getJsonArray(field).getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }

    static JsonObject parse(String text) {
        try (var reader = JSON.createReader(new StringReader(text))) {
            return reader.readObject();
        }
    }
}
