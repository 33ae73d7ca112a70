package io.shepherd.runtime.core;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Correlation ids: the one id that follows a request, and a job from its submission to its
 * outcome, through every log line about it. Only a safe alphabet is taken from a caller, so an id
 * can never break a log line or a header.
 */
public final class CorrelationIds {
    /** What a caller's id must be, for messages. */
    public static final String RULE = "1 to 200 characters of letters, digits and . _ : / @ + = -";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:/@+=-]{1,200}");

    private CorrelationIds() {
    }

    public static boolean valid(String id) {
        return id != null && SAFE.matcher(id).matches();
    }

    /** The caller's id when it is valid, else a new one. */
    public static String orNew(String id) {
        return valid(id) ? id : UUID.randomUUID().toString();
    }
}
