package io.shepherd.runtime.http;

import java.nio.charset.StandardCharsets;

/**
 * JSON written straight into text, for the hottest answers (the exchange's, and jobs: a batch
 * submission's answer holds a thousand): no tree of builder objects, and a job's payload — JSON the
 * runtime itself stored after parsing it — copied as it is instead of parsed and written again.
 * Building the exchange's answer through Parsson's builders was a quarter of its handler's time in
 * the profile. The caller writes a well-formed document: names and values in order, {@link #comma}
 * between members.
 */
final class JsonText {
    private final StringBuilder out = new StringBuilder(512);

    JsonText raw(String json) {
        out.append(json);
        return this;
    }

    JsonText comma() {
        out.append(',');
        return this;
    }

    /** {@code "name":} */
    JsonText name(String name) {
        return string(name).raw(":");
    }

    /** A string value, escaped as RFC 8259 requires; null is written as {@code null}. */
    JsonText string(String value) {
        if (value == null) {
            out.append("null");
            return this;
        }
        out.append('"');
        int plain = 0; // value[plain, i) needs no escape: copied in one append, not a char at a time
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(value, plain, i);
            plain = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
            }
        }
        out.append(value, plain, value.length()).append('"');
        return this;
    }

    JsonText number(long value) {
        out.append(value);
        return this;
    }

    /** A number, or {@code null}. */
    JsonText number(Long value) {
        out.append(value == null ? "null" : value.toString());
        return this;
    }

    /** JSON text as it is ({@code null} for none): JSON the runtime wrote itself, never a caller's bytes unparsed. */
    JsonText json(String json) {
        out.append(json == null ? "null" : json);
        return this;
    }

    JsonText bool(boolean value) {
        out.append(value);
        return this;
    }

    /** {@code "name":"value"} (or {@code null}). */
    JsonText member(String name, String value) {
        return name(name).string(value);
    }

    byte[] bytes() {
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
