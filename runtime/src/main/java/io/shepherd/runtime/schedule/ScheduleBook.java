package io.shepherd.runtime.schedule;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.helidon.config.Config;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * The schedules an operator declares in YAML, by name:
 *
 * <pre>
 * nightly-report:
 *   type: report              # the job type
 *   cron: "0 3 * * *"         # minute hour day-of-month month day-of-week ...
 *   zone: Europe/Berlin       # ... in this time zone (default UTC)
 *   # every: PT30S            # ... or a fixed interval instead of cron
 *   queue: reports            # default: default
 *   payload: {format: pdf}    # any YAML; numbers and true/false become JSON numbers and booleans
 *   overlap: skip             # skip (default): no job while the last one is pending or claimed; allow
 *   misfire: run-once         # run-once (default): one job for slots missed while down; skip: none
 * </pre>
 */
public record ScheduleBook(List<ScheduleSpec> schedules) {
    private static final Set<String> KEYS = Set.of("type", "cron", "every", "zone", "queue", "payload", "overlap",
            "misfire");

    public ScheduleBook {
        schedules = List.copyOf(schedules);
    }

    public static ScheduleBook empty() {
        return new ScheduleBook(List.of());
    }

    /** Reads and validates a schedules node; throws {@link IllegalArgumentException} naming the offending key. */
    public static ScheduleBook parse(Config node) {
        if (!node.exists()) {
            return empty();
        }
        List<ScheduleSpec> specs = new ArrayList<>();
        for (Config s : node.asNodeList().orElse(List.of())) {
            String name = s.name();
            if (!s.isObject()) {
                throw new IllegalArgumentException(name + " must be a mapping (type, cron or every, ...)");
            }
            for (Config key : s.asNodeList().orElse(List.of())) {
                if (!KEYS.contains(key.name())) {
                    throw new IllegalArgumentException("unknown key " + name + "." + key.name() + " (known: "
                            + new TreeSet<>(KEYS) + ")");
                }
            }
            Duration every = null;
            if (s.get("every").exists()) {
                String text = s.get("every").asString().get().trim();
                try {
                    every = Duration.parse(text);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(name + ".every must be an ISO-8601 duration such as PT30S, was "
                            + text);
                }
            }
            specs.add(new ScheduleSpec(name, s.get("type").asString().orElse(null),
                    s.get("queue").asString().orElse(null),
                    s.get("payload").exists() ? json(s.get("payload")).toString() : null,
                    s.get("cron").asString().orElse(null), every,
                    s.get("zone").asString().map(z -> ScheduleSpec.zone(name + ".zone", z)).orElse(null),
                    s.get("overlap").asString().map(o -> ScheduleSpec.overlap(name + ".overlap", o)).orElse(null),
                    s.get("misfire").asString().map(m -> ScheduleSpec.misfire(name + ".misfire", m)).orElse(null)));
        }
        return new ScheduleBook(specs);
    }

    /** A YAML node as JSON: mappings, lists, and leaves as numbers, booleans or strings. */
    static JsonValue json(Config node) {
        if (node.isObject()) {
            JsonObjectBuilder b = Json.createObjectBuilder();
            node.asNodeList().orElse(List.of()).forEach(child -> b.add(child.name(), json(child)));
            return b.build();
        }
        if (node.isList()) {
            JsonArrayBuilder a = Json.createArrayBuilder();
            node.asNodeList().orElse(List.of()).forEach(child -> a.add(json(child)));
            return a.build();
        }
        String text = node.asString().orElse("");
        if (text.equals("true") || text.equals("false")) {
            return text.equals("true") ? JsonValue.TRUE : JsonValue.FALSE;
        }
        if (text.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?")) {
            return Json.createValue(new BigDecimal(text));
        }
        return Json.createValue(text);
    }

    /** Parses and validates a schedules YAML file's content (the file name only labels the errors). */
    public static ScheduleBook parse(java.nio.file.Path file, byte[] content) {
        try {
            return parse(io.shepherd.runtime.lifecycle.WatchedFile.yaml(content));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** For the log. */
    public String summary() {
        return schedules.stream().map(ScheduleSpec::name).toList().toString();
    }
}
