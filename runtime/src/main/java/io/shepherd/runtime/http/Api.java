package io.shepherd.runtime.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.shepherd.runtime.auth.Authenticator;
import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.Problem;

/** What every API handler shares: who is calling, how big a body may be, and the 405 answer. */
public record Api(Authenticator authenticator, long maxBody) {
    /** Answers a known path asked with a method it does not have: 405, with the methods it has in {@code Allow}. */
    public static Handler allow(String... methods) {
        String allowed = String.join(", ", methods);
        return (req, res) -> {
            res.header(HeaderNames.ALLOW, allowed);
            throw Problem.methodNotAllowed(req.prologue().method().text() + " is not allowed on "
                    + req.path().absolute().path() + "; it takes " + allowed);
        };
    }

    public Caller caller(ServerRequest req) {
        return authenticator.authenticate(req.headers().value(HeaderNames.AUTHORIZATION), req.remotePeer().host());
    }

    /** Whether the request carries a valid token (no header: no, and no failure counted). */
    public boolean authenticated(ServerRequest req) {
        return authenticator.accepts(req.headers().value(HeaderNames.AUTHORIZATION), req.remotePeer().host());
    }

    /**
     * For actions that take no body: none is needed, but one that is sent must still be a JSON
     * object — a malformed body is refused (400/413/415), never ignored.
     */
    public void noBodyNeeded(ServerRequest req) {
        optionalBody(req);
    }

    public Body body(ServerRequest req) {
        return Body.read(req, maxBody, false);
    }

    public Body optionalBody(ServerRequest req) {
        return Body.read(req, maxBody, true);
    }

    public static String id(ServerRequest req) {
        return Body.noNul("the id in the path", req.path().pathParameters().get("id"));
    }

    public static String query(ServerRequest req, String name) {
        return req.query().first(name).asOptional().filter(v -> !v.isEmpty()).orElse(null);
    }

    /** An RFC 3339 time in the query, as epoch milliseconds; null when absent. */
    public static Long timeQuery(ServerRequest req, String name) {
        String value = query(req, name);
        try {
            return value == null ? null : java.time.Instant.parse(value).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            throw Problem.badRequest(name + " must be an RFC 3339 time such as 2026-01-01T00:00:00Z, was " + value);
        }
    }

    public static Integer intQuery(ServerRequest req, String name) {
        String value = query(req, name);
        if (value == null) {
            return null;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw Problem.badRequest(name + " must be an integer, was " + value);
        }
    }
}
