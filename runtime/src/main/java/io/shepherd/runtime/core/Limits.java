package io.shepherd.runtime.core;

/**
 * How large the texts a job carries may be, in bytes of their JSON: what a submission, a report
 * or a heartbeat may store on a job. Each keeps one row, and every answer that shows it, bounded.
 *
 * @param payload  a submitted job's payload ({@code 413} beyond)
 * @param result   a completed job's result ({@code 413} beyond)
 * @param error    a failure's error text ({@code 400} beyond)
 * @param progress one job's progress in a heartbeat ({@code 413} beyond)
 */
public record Limits(int payload, int result, int error, int progress) {
    public Limits {
        positive("limits.max-payload", payload);
        positive("limits.max-result", result);
        positive("limits.max-error", error);
        positive("limits.max-progress", progress);
    }

    public static Limits defaults() {
        return new Limits(256 * 1024, 256 * 1024, 8 * 1024, 4 * 1024);
    }

    /** Refuses a payload or result text over its limit with 413, naming the field and both sizes. */
    public static void requireFits(String field, String json, int limit) {
        if (json != null) {
            int size = json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (size > limit) {
                throw Problem.tooLarge(field + " is " + size + " bytes of JSON; at most " + limit + " are kept");
            }
        }
    }

    private static void positive(String key, int value) {
        if (value < 16) {
            throw new IllegalArgumentException(key + " must be at least 16 bytes, was " + value);
        }
    }
}
