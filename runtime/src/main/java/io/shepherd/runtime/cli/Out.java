package io.shepherd.runtime.cli;

import java.io.PrintStream;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;

/** How the commands print for people: aligned tables, short ids, times relative to now; and JSON for scripts. */
final class Out {
    /** The shortest id prefix a table shows. */
    static final int SHORT_ID = 8;

    private Out() {
    }

    /** One parseable JSON document, pretty-printed. */
    static void json(PrintStream out, JsonValue value) {
        StringWriter text = new StringWriter();
        try (var writer = Json.createWriterFactory(Map.of(JsonGenerator.PRETTY_PRINTING, true)).createWriter(text)) {
            writer.write(value);
        }
        out.println(text.toString().strip());
    }

    /** Columns aligned to their widest cell, two spaces apart; "-" for an empty cell. */
    static void table(PrintStream out, List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            widths[i] = headers.get(i).length();
        }
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], cell(row.get(i)).length());
            }
        }
        out.println(line(headers, widths));
        rows.forEach(r -> out.println(line(r, widths)));
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cell(cells.get(i));
            b.append(c);
            if (i < cells.size() - 1) {
                b.append(" ".repeat(widths[i] - c.length() + 2));
            }
        }
        return b.toString().stripTrailing();
    }

    private static String cell(String s) {
        return s == null || s.isEmpty() ? "-" : s.replace('\n', ' ');
    }

    /** "3 min ago", "in 2 h", "just now"; "-" for null. */
    static String ago(String rfc3339) {
        if (rfc3339 == null) {
            return null;
        }
        return relative(Duration.between(Instant.now(), Instant.parse(rfc3339)));
    }

    static String relative(Duration d) {
        boolean future = !d.isNegative();
        long s = Math.abs(d.toSeconds());
        String amount;
        if (s < 2) {
            return "just now";
        } else if (s < 60) {
            amount = s + " s";
        } else if (s < 3600) {
            amount = s / 60 + " min";
        } else if (s < 86_400) {
            amount = s / 3600 + " h";
        } else {
            amount = s / 86_400 + " d";
        }
        return future ? "in " + amount : amount + " ago";
    }

    /** Shortens each id to the shortest prefix (at least {@link #SHORT_ID}) no other id here shares. */
    static Function<String, String> shortIds(Collection<String> ids) {
        List<String> all = ids.stream().filter(java.util.Objects::nonNull).distinct().toList();
        return id -> {
            if (id == null) {
                return null;
            }
            for (int n = SHORT_ID; n < id.length(); n++) {
                String prefix = id.substring(0, n);
                if (all.stream().filter(o -> o.startsWith(prefix)).count() <= 1) {
                    return prefix;
                }
            }
            return id;
        };
    }

    /** A value as a cell: null stays null (printed "-"). */
    static String s(Object value) {
        return value == null || value == JsonValue.NULL ? null : value.toString();
    }

    static String text(JsonObject o, String field) {
        JsonValue v = o.get(field);
        if (v == null || v == JsonValue.NULL) {
            return null;
        }
        return v instanceof JsonString s ? s.getString() : v.toString();
    }

    /** The values of a field over a list of objects. */
    static List<String> column(List<JsonObject> rows, String field) {
        List<String> values = new ArrayList<>(rows.size());
        rows.forEach(r -> values.add(text(r, field)));
        return values;
    }

    /**
     * A duration as people type it ({@code 30s}, {@code 15m}, {@code 1h}, {@code 2d}) or an
     * RFC 3339 time: the instant it means (that long ago).
     */
    static Instant since(String text) {
        String t = text.trim();
        try {
            return Instant.parse(t);
        } catch (java.time.format.DateTimeParseException notATime) {
            // a duration
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*(s|m|min|h|d|w)").matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration such as 30s, 15m, 1h, 2d or 1w, or a time such as "
                    + "2026-01-01T00:00:00Z; was " + text);
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m", "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
        return Instant.now().minus(d);
    }

    static Set<String> set(String... values) {
        return new HashSet<>(List.of(values));
    }
}
