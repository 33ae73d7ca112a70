package io.shepherd.runtime.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.shepherd.runtime.core.Problem;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParsingException;

/**
 * A request's JSON body, read within the size limit, with typed getters that answer a wrong or
 * missing field with a 400 naming it.
 */
public final class Body {
    private final JsonObject json;

    private Body(JsonObject json) {
        this.json = json;
    }

    private static final java.util.regex.Pattern CHARSET = java.util.regex.Pattern.compile("charset=\"?([^\";]+)");

    /** Reads a JSON object body; an absent body counts as {@code {}} when {@code optional}. */
    public static Body read(ServerRequest req, long maxBytes, boolean optional) {
        boolean hasBody = req.content().hasEntity();
        if (!hasBody) {
            if (optional) {
                return new Body(JsonValue.EMPTY_JSON_OBJECT);
            }
            throw Problem.badRequest("A JSON body is required");
        }
        String contentType = req.headers().value(HeaderNames.CONTENT_TYPE).orElse("");
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
            throw Problem.unsupportedMediaType("The body must be application/json"
                    + (contentType.isEmpty() ? " (no Content-Type was sent)" : ", not " + contentType));
        }
        // most callers name no charset: then no pattern is run at all (a replaceAll here compiled its
        // pattern on every request: 2 % of the runtime's CPU in the benchmark's profile)
        String lower = contentType.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("charset=")) {
            java.util.regex.Matcher named = CHARSET.matcher(lower);
            String charset = named.find() ? named.group(1).trim() : "";
            if (!charset.equals("utf-8")) {
                throw Problem.unsupportedMediaType("JSON bodies are UTF-8, not " + charset);
            }
        }
        String text = readLimited(req.content().inputStream(), maxBytes);
        if (text.isBlank()) {
            if (optional) {
                return new Body(JsonValue.EMPTY_JSON_OBJECT);
            }
            throw Problem.badRequest("A JSON body is required");
        }
        try (var reader = JsonViews.READERS.createReader(new StringReader(text))) {
            JsonValue value = reader.readValue();
            if (!(value instanceof JsonObject object)) {
                throw Problem.badRequest("The body must be a JSON object");
            }
            return new Body(object);
        } catch (JsonParsingException e) {
            throw Problem.badRequest("Malformed JSON: " + e.getMessage());
        } catch (JsonException e) {
            throw Problem.badRequest("Malformed JSON: " + e.getMessage());
        } catch (RuntimeException e) {
            if (e instanceof Problem) {
                throw e;
            }
            // Parsson refuses nesting past its limit with a plain RuntimeException
            throw Problem.badRequest("Malformed JSON: " + e.getMessage());
        }
    }

    static Body of(JsonObject json) {
        return new Body(json);
    }

    private static String readLimited(InputStream in, long maxBytes) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > maxBytes) {
                    throw Problem.tooLarge("The body is over the limit of " + maxBytes + " bytes");
                }
                out.write(buffer, 0, n);
            }
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(out.toByteArray())).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw Problem.badRequest("The body is not valid UTF-8 (JSON is UTF-8)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public JsonObject json() {
        return json;
    }

    public String string(String name) {
        String value = optString(name);
        if (value == null) {
            throw Problem.badRequest(name + " is required (a string)");
        }
        return value;
    }

    public String optString(String name) {
        JsonValue value = json.get(name);
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (value instanceof JsonString s) {
            return noNul(name, s.getString());
        }
        throw Problem.badRequest(name + " must be a string");
    }

    /** No text the runtime reads holds U+0000: PostgreSQL cannot store it, and no name or token has it. */
    static String noNul(String name, String value) {
        if (value.indexOf('\u0000') >= 0) {
            throw Problem.badRequest(name + " must not contain U+0000");
        }
        return value;
    }

    public Integer optInt(String name) {
        JsonValue value = json.get(name);
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (value instanceof JsonNumber n && n.isIntegral()) {
            try {
                return n.intValueExact();
            } catch (ArithmeticException e) {
                throw Problem.badRequest(name + " is out of range");
            }
        }
        throw Problem.badRequest(name + " must be an integer");
    }

    public Long optLong(String name) {
        JsonValue value = json.get(name);
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (value instanceof JsonNumber n && n.isIntegral()) {
            try {
                return n.longValueExact();
            } catch (ArithmeticException e) {
                throw Problem.badRequest(name + " is out of range");
            }
        }
        throw Problem.badRequest(name + " must be an integer");
    }

    public Boolean optBoolean(String name) {
        JsonValue value = json.get(name);
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (value == JsonValue.TRUE) {
            return true;
        }
        if (value == JsonValue.FALSE) {
            return false;
        }
        throw Problem.badRequest(name + " must be true or false");
    }

    /** An RFC 3339 time, as epoch milliseconds. */
    public Long optTime(String name) {
        String text = optString(name);
        if (text == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (DateTimeParseException again) {
                throw Problem.badRequest(name + " must be an RFC 3339 time such as 2026-01-31T12:00:00Z");
            }
        }
    }

    public List<String> optStrings(String name) {
        JsonValue value = json.get(name);
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (!(value instanceof JsonArray array)) {
            throw Problem.badRequest(name + " must be an array of strings");
        }
        List<String> out = new ArrayList<>(array.size());
        for (JsonValue item : array) {
            if (!(item instanceof JsonString s)) {
                throw Problem.badRequest(name + " must be an array of strings");
            }
            out.add(noNul(name, s.getString()));
        }
        return out;
    }

    /** Any JSON value, kept as JSON text; null when absent. */
    public String optJson(String name) {
        JsonValue value = json.get(name);
        return value == null ? null : value.toString();
    }

    public JsonObject optObject(String name) {
        JsonValue value = json.get(name);
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        if (value instanceof JsonObject o) {
            return o;
        }
        throw Problem.badRequest(name + " must be a JSON object");
    }

    public JsonArray array(String name) {
        JsonValue value = json.get(name);
        if (value instanceof JsonArray a) {
            return a;
        }
        throw Problem.badRequest(name + " is required (an array)");
    }
}
