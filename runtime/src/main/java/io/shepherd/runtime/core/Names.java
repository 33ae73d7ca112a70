package io.shepherd.runtime.core;

import java.util.regex.Pattern;

/**
 * What callers may name things with. Job types, queue names, schedule names and label keys are
 * identifiers; idempotency keys and label values are visible ASCII; bot names any text without
 * control characters. So no name can break a log line, a metric label, a header or a terminal.
 */
public final class Names {
    /** Job types, queues, schedules, label keys. */
    public static final String NAME_RULE = "1 to 200 characters: letters, digits and . _ - : /, starting with a letter or digit";
    /** Idempotency keys, label values. */
    public static final String KEY_RULE = "1 to 200 visible ASCII characters (no spaces or control characters)";
    /** Bot names. */
    public static final String TEXT_RULE = "1 to 200 characters, no control characters";
    public static final int MAX_LABELS = 32;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}");
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,200}");
    private static final Pattern TEXT = Pattern.compile("[^\\p{Cc}\\p{Cf}\\p{Cs}\\p{Zl}\\p{Zp}]{1,200}");

    private Names() {
    }

    public static boolean name(String s) {
        return s != null && NAME.matcher(s).matches();
    }

    public static boolean key(String s) {
        return s != null && KEY.matcher(s).matches();
    }

    public static boolean text(String s) {
        return s != null && !s.isBlank() && TEXT.matcher(s).matches();
    }

    /** 400 unless {@code value} is a name; {@code field} says which, e.g. {@code type}. */
    public static String requireName(String field, String value) {
        if (!name(value)) {
            throw Problem.badRequest(field + " must be " + NAME_RULE + (value == null ? "" : ", was " + shown(value)));
        }
        return value;
    }

    /**
     * 400 unless every label is a name (at most 63 characters) with a visible-ASCII value, and
     * there are at most {@link #MAX_LABELS}: what a bot may carry and a selector may ask for.
     */
    public static void requireLabels(java.util.Map<String, String> labels) {
        if (labels.size() > MAX_LABELS) {
            throw Problem.badRequest("labels has " + labels.size() + " entries; at most " + MAX_LABELS);
        }
        labels.forEach((key, value) -> {
            if (!name(key) || key.length() > 63) {
                throw Problem.badRequest("labels: a label's name must be " + NAME_RULE + " (at most 63), was "
                        + shown(key));
            }
            if (!key(value)) {
                throw Problem.badRequest("labels." + key + " must be a string of " + KEY_RULE);
            }
        });
    }

    /** The value as it may be shown back in a message: escaped and cut. */
    public static String shown(String value) {
        StringBuilder b = new StringBuilder("\"");
        value.codePoints().limit(60).forEach(c -> {
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                b.append((char) c);
            } else {
                b.append(String.format("\\u%04x", c));
            }
        });
        return b.append(value.length() > 60 ? "...\"" : "\"").toString();
    }
}
