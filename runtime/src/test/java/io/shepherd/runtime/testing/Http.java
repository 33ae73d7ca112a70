package io.shepherd.runtime.testing;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/** A plain HTTP client against a runtime's base URL: real requests over loopback. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final String base;

    public Http(String base) {
        this.base = base;
    }

    public record Response(int status, HttpHeaders headers, String body) {
        public JsonObject json() {
            try (var reader = Json.createReader(new StringReader(body))) {
                return reader.readObject();
            } catch (RuntimeException e) {
                throw new AssertionError("Not a JSON object (HTTP " + status + "): " + body, e);
            }
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public String contentType() {
            return header("Content-Type");
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + body;
        }
    }

    public String base() {
        return base;
    }

    public Response get(String path, String token) {
        return send(builder(path, token).GET());
    }

    public Response post(String path, String token, Object body) {
        return send(builder(path, token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body.toString())));
    }

    public Response put(String path, String token, Object body) {
        return send(builder(path, token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body == null ? "" : body.toString())));
    }

    public Response delete(String path, String token) {
        return send(builder(path, token).DELETE());
    }

    public Response send(String method, String path, String token, String contentType, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder b = builder(path, token).method(method, body);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b);
    }

    public HttpRequest.Builder builder(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    public Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (Exception e) {
            throw new IllegalStateException("Request failed: " + e, e);
        }
    }

    public static JsonObject obj(Object... keyValues) {
        var b = Json.createObjectBuilder();
        for (int i = 0; i < keyValues.length; i += 2) {
            String key = (String) keyValues[i];
            Object v = keyValues[i + 1];
            switch (v) {
                case null -> b.addNull(key);
                case String s -> b.add(key, s);
                case Integer n -> b.add(key, n);
                case Long n -> b.add(key, n);
                case Boolean x -> b.add(key, x);
                case jakarta.json.JsonValue j -> b.add(key, j);
                case java.util.Map<?, ?> map -> {
                    @SuppressWarnings("unchecked")
                    java.util.Map<String, Object> fields = (java.util.Map<String, Object>) map;
                    b.add(key, Json.createObjectBuilder(fields));
                }
                case java.util.List<?> list -> {
                    var a = Json.createArrayBuilder();
                    for (Object o : list) {
                        if (o instanceof jakarta.json.JsonValue jv) {
                            a.add(jv);
                        } else {
                            a.add(o.toString());
                        }
                    }
                    b.add(key, a);
                }
                default -> throw new IllegalArgumentException(v.getClass().toString());
            }
        }
        return b.build();
    }
}
