package io.shepherd.runtime.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.shepherd.runtime.core.Problem;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/** Writing JSON and problem+json answers. */
public final class Responses {
    private static final String JSON = "application/json";
    private static final String PROBLEM_JSON = "application/problem+json";

    private Responses() {
    }

    public static void json(ServerResponse res, int status, JsonObject body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.send(body.toString());
    }

    /** A JSON answer written as text ({@link JsonText}). */
    static void json(ServerResponse res, int status, JsonText body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.send(body.bytes());
    }

    public static void ok(ServerResponse res, JsonObject body) {
        json(res, 200, body);
    }

    public static void noContent(ServerResponse res) {
        res.status(Status.NO_CONTENT_204);
        res.send();
    }

    public static void problem(ServerResponse res, Problem problem) {
        problem(res, problem.status(), problem.title(), problem.detail(), problem.retryAfterSeconds());
    }

    public static void problem(ServerResponse res, int status, String title, String detail, long retryAfterSeconds) {
        problem(res, status, title, detail, retryAfterSeconds, null, null);
    }

    /** A problem with one member of its own beyond RFC 9457's (e.g. the answers to what was done before it). */
    public static void problem(ServerResponse res, Problem problem, String member, JsonValue value) {
        problem(res, problem.status(), problem.title(), problem.detail(), problem.retryAfterSeconds(), member, value);
    }

    private static void problem(ServerResponse res, int status, String title, String detail, long retryAfterSeconds,
                                String member, JsonValue value) {
        if (res.isSent()) {
            return;
        }
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, PROBLEM_JSON);
        if (status == 401) {
            // RFC 6750: a client told to authenticate is told how
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"shepherd\"");
        }
        if (retryAfterSeconds > 0) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        JsonObjectBuilder body = JsonViews.BUILDERS.createObjectBuilder()
                .add("type", "about:blank")
                .add("title", title)
                .add("status", status)
                .add("detail", detail == null ? title : detail);
        if (member != null) {
            body.add(member, value);
        }
        res.send(body.build().toString());
    }
}
