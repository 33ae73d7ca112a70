package io.shepherd.runtime.core;

/**
 * A request the rules refuse, with the HTTP status it maps to. The HTTP layer turns it into
 * {@code application/problem+json}.
 */
public final class Problem extends RuntimeException {
    private final int status;
    private final String title;
    private final long retryAfterSeconds;

    private Problem(int status, String title, String detail, long retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static Problem badRequest(String detail) {
        return new Problem(400, "Bad Request", detail, 0);
    }

    public static Problem unauthorized(String detail) {
        return new Problem(401, "Unauthorized", detail, 0);
    }

    public static Problem forbidden(String detail) {
        return new Problem(403, "Forbidden", detail, 0);
    }

    public static Problem notFound(String detail) {
        return new Problem(404, "Not Found", detail, 0);
    }

    public static Problem methodNotAllowed(String detail) {
        return new Problem(405, "Method Not Allowed", detail, 0);
    }

    public static Problem conflict(String detail) {
        return new Problem(409, "Conflict", detail, 0);
    }

    public static Problem tooLarge(String detail) {
        return new Problem(413, "Content Too Large", detail, 0);
    }

    public static Problem unsupportedMediaType(String detail) {
        return new Problem(415, "Unsupported Media Type", detail, 0);
    }

    public static Problem tooManyRequests(String detail, long retryAfterSeconds) {
        return new Problem(429, "Too Many Requests", detail, retryAfterSeconds);
    }

    public static Problem unavailable(String detail, long retryAfterSeconds) {
        return new Problem(503, "Service Unavailable", detail, retryAfterSeconds);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
