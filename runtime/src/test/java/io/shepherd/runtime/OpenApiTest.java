package io.shepherd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestBot;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The OpenAPI document ({@code META-INF/openapi.yaml}, served at {@code /openapi}) is the API's
 * contract, so it is held to the code: every route the handlers register is documented and every
 * documented operation is routed; and the real answers of the main calls match the documented
 * schemas (required fields present, types and enums as documented).
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class OpenApiTest extends ApiTestBase {
    static final Path HTTP = Path.of("src", "main", "java", "io", "shepherd", "runtime", "http");
    static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

    @SuppressWarnings("unchecked")
    static Map<String, Object> document() throws Exception {
        return new Yaml().load(Files.readString(Path.of("src", "main", "resources", "META-INF", "openapi.yaml")));
    }

    /** "POST /v1/jobs/{id}/complete" for every operation of the document. */
    @SuppressWarnings("unchecked")
    static Set<String> documented(Map<String, Object> doc) {
        Set<String> operations = new TreeSet<>();
        ((Map<String, Map<String, Object>>) doc.get("paths")).forEach((path, item) -> item.keySet().stream()
                .filter(METHODS::contains).forEach(m -> operations.add(m.toUpperCase(Locale.ROOT) + " " + path)));
        return operations;
    }

    /**
     * The routes the handlers register, read from their sources: each service's prefix in
     * {@code Routes.register(...)}, and its {@code get/post/put/delete/patch("path", ...)} rules.
     */
    static Set<String> routed() throws Exception {
        Map<String, String> prefixes = new java.util.HashMap<>();
        String routes = Files.readString(HTTP.resolve("Routes.java"));
        Matcher reg = Pattern.compile("\\.register\\(\"([^\"]*)\",\\s*(new )?(\\w+)").matcher(routes);
        while (reg.find()) {
            String service = reg.group(3);
            if (reg.group(2) == null) { // a parameter: its type is the service
                Matcher declared = Pattern.compile("(\\w+HttpService) " + service + "\\b").matcher(routes);
                assertTrue(declared.find(), "the type of " + service + " in Routes.java");
                service = declared.group(1);
            }
            prefixes.put(service, reg.group(1));
        }
        assertTrue(prefixes.size() >= 7, "the services Routes registers: " + prefixes);
        Set<String> found = new TreeSet<>();
        // a routing rule: rules.get("/path", ...) or a chained .post("/path", ...) on a line of its own
        Pattern rule = Pattern.compile("(?m)(?:rules|^\\s*)\\.(get|post|put|delete|patch)\\(\"([^\"]*)\",");
        for (Map.Entry<String, String> service : prefixes.entrySet()) {
            Matcher m = rule.matcher(Files.readString(HTTP.resolve(service.getKey() + ".java")));
            while (m.find()) {
                String prefix = service.getValue().equals("/") ? "" : service.getValue();
                String path = m.group(2).equals("/") ? prefix : prefix + m.group(2);
                found.add(m.group(1).toUpperCase(Locale.ROOT) + " " + path);
            }
        }
        return found;
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedOperationIsRouted() throws Exception {
        Set<String> documented = documented(document());
        Set<String> routed = routed();
        assertEquals(routed, documented, "routes in the code vs operations in META-INF/openapi.yaml");

        // and each answers as routed — no 404 from routing, no 405 — on the real server
        for (String operation : documented) {
            String method = operation.substring(0, operation.indexOf(' '));
            String path = operation.substring(operation.indexOf(' ') + 1).replace("{id}", "no-such-id")
                    .replace("{name}", "no-such-name");
            Http.Response r = http.send(http.builder(path, TestRuntime.ADMIN)
                    .method(method, java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                    .header("Content-Type", "application/json"));
            assertTrue(r.status() != 405, operation + " answered 405: " + r);
            assertFalse(r.status() == 404 && r.body().contains("No such resource"), operation + " is not routed: " + r);
        }
    }

    @Test
    void theRuntimeServesTheDocument() throws Exception {
        Http.Response yaml = http.get("/openapi", null);
        assertEquals(200, yaml.status(), yaml.toString());
        Map<String, Object> served = new Yaml().load(yaml.body());
        assertEquals(documented(document()), documented(served));
        Http.Response json = http.get("/openapi?format=JSON", null);
        assertEquals(200, json.status());
        assertTrue(json.body().trim().startsWith("{"), json.body().substring(0, Math.min(80, json.body().length())));
    }

    @Test
    void realAnswersOfTheMainCallsMatchTheirSchemas() throws Exception {
        Schemas schemas = new Schemas(document());
        Http.Response submitted = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("type", "t", "payload", Http.obj("n", 1)));
        schemas.check("POST /v1/jobs", "201", submitted);
        String id = submitted.json().getString("id");
        schemas.check("POST /v1/jobs/batch", "201", http.post("/v1/jobs/batch", TestRuntime.CLIENT,
                Json.createObjectBuilder().add("jobs", Json.createArrayBuilder().add(Http.obj("type", "other"))).build()));
        schemas.check("GET /v1/jobs", "200", http.get("/v1/jobs?limit=1", TestRuntime.CLIENT));
        schemas.check("GET /v1/jobs/{id}", "200", http.get("/v1/jobs/" + id, TestRuntime.CLIENT));

        Http.Response registered = http.post("/v1/bots", TestRuntime.ENROLL, Http.obj("name", "b", "types", List.of("t"),
                "labels", Http.obj("zone", "a")));
        schemas.check("POST /v1/bots", "201", registered);
        TestBot bot = runtime.registerBot("c", "t");
        Http.Response claimed = bot.claim(1, 0);
        schemas.check("POST /v1/bots/{id}/claim", "200", claimed);
        JsonObject held = claimed.json().getJsonArray("jobs").getJsonObject(0);
        schemas.check("POST /v1/bots/{id}/heartbeat", "200", bot.heartbeat(List.of(held.getString("id"))));
        schemas.check("GET /v1/bots/{id}", "200", http.get("/v1/bots/" + bot.id, TestRuntime.ADMIN));
        schemas.check("GET /v1/bots", "200", http.get("/v1/bots", TestRuntime.ADMIN));
        schemas.check("POST /v1/jobs/{id}/complete", "200", bot.complete(held.getString("id"), held.getString("leaseToken"),
                Http.obj("ok", true)));
        schemas.check("POST /v1/jobs/{id}/complete", "409", bot.complete(held.getString("id"), "stale-token", null));
        schemas.check("GET /v1/jobs/{id}/events", "200", http.get("/v1/jobs/" + held.getString("id") + "/events", TestRuntime.CLIENT));
        schemas.check("GET /v1/stats", "200", http.get("/v1/stats", TestRuntime.CLIENT));
        schemas.check("GET /v1/stats/recent", "200", http.get("/v1/stats/recent", TestRuntime.CLIENT));
        schemas.check("GET /v1/whoami", "200", http.get("/v1/whoami", TestRuntime.ADMIN));
        schemas.check("GET /v1/whoami", "200", http.get("/v1/whoami", bot.token));
        schemas.check("GET /v1/admin/recovery/policies", "200", http.get("/v1/admin/recovery/policies", TestRuntime.ADMIN));
        schemas.check("GET /v1/jobs", "200", http.get("/v1/jobs?order=desc&bot=" + bot.id + "&until=2999-01-01T00:00:00Z",
                TestRuntime.CLIENT));
        schemas.check("POST /v1/bots/{id}/sessions", "201", http.post("/v1/bots/" + bot.id + "/sessions", bot.token, null));
        schemas.check("GET /v1/admin/recovery", "200", http.get("/v1/admin/recovery", TestRuntime.ADMIN));
        schemas.check("POST /v1/admin/recovery/run", "200", http.post("/v1/admin/recovery/run", TestRuntime.ADMIN, null));
        schemas.check("GET /v1/admin/plugins", "200", http.get("/v1/admin/plugins", TestRuntime.ADMIN));
        schemas.check("POST /v1/admin/recovery/prune", "200", http.post("/v1/admin/recovery/prune", TestRuntime.ADMIN, null));
        schemas.check("POST /v1/bots/{id}/drain", "200", http.post("/v1/bots/" + bot.id + "/drain", TestRuntime.ADMIN, null));
        schemas.check("POST /v1/bots/drain", "200", http.post("/v1/bots/drain", TestRuntime.ADMIN,
                Http.obj("labels", Http.obj("zone", "a"))));
        schemas.check("POST /v1/bots/undrain", "400", http.post("/v1/bots/undrain", TestRuntime.ADMIN, Http.obj()));
        schemas.check("POST /v1/bots/{id}/undrain", "200", http.post("/v1/bots/" + bot.id + "/undrain", TestRuntime.ADMIN, null));
        schemas.check("POST /v1/bots/{id}/revoke", "200", http.post("/v1/bots/" + bot.id + "/revoke", TestRuntime.ADMIN, null));
        schemas.check("POST /v1/bots/{id}/heartbeat", "401", bot.heartbeat(List.of()));
        schemas.check("GET /v1/admin/actions", "200", http.get("/v1/admin/actions", TestRuntime.ADMIN));
        schemas.check("POST /v1/queues/{name}/pause", "200", http.post("/v1/queues/q/pause", TestRuntime.ADMIN, null));
        schemas.check("PUT /v1/queues/{name}/limit", "200", http.put("/v1/queues/q/limit", TestRuntime.ADMIN,
                Http.obj("maxClaimed", 3)));
        schemas.check("POST /v1/queues/{name}/resume", "200", http.post("/v1/queues/q/resume", TestRuntime.ADMIN, null));
        schemas.check("GET /v1/queues", "200", http.get("/v1/queues", TestRuntime.CLIENT));
        schemas.check("GET /v1/queues/{name}", "200", http.get("/v1/queues/q", TestRuntime.CLIENT));
        schemas.check("PUT /v1/schedules/{name}", "200", http.put("/v1/schedules/s", TestRuntime.ADMIN,
                Http.obj("type", "t", "cron", "*/5 * * * *", "payload", Http.obj("n", 1))));
        schemas.check("PUT /v1/schedules/{name}", "400", http.put("/v1/schedules/s", TestRuntime.ADMIN, Http.obj("type", "t")));
        schemas.check("GET /v1/schedules", "200", http.get("/v1/schedules", TestRuntime.CLIENT));
        schemas.check("GET /v1/schedules/{name}", "200", http.get("/v1/schedules/s", TestRuntime.CLIENT));
        schemas.check("DELETE /v1/schedules/{name}", "404", http.delete("/v1/schedules/none", TestRuntime.ADMIN));
        schemas.check("GET /healthz", "200", http.get("/healthz", null));
        schemas.check("GET /ready", "200", http.get("/ready", null));
        schemas.check("GET /livez", "200", http.get("/livez", null));
        schemas.check("GET /v1/jobs/{id}", "404", http.get("/v1/jobs/no-such-job", TestRuntime.CLIENT));
        schemas.check("POST /v1/jobs", "400", http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj("payload", 1)));
        schemas.check("POST /v1/jobs", "401", http.post("/v1/jobs", null, Http.obj("type", "t")));
    }

    /** A checker for the subset of JSON Schema the document uses: $ref, type, nullable, required, properties, items, enum. */
    static final class Schemas {
        private final Map<String, Object> doc;

        Schemas(Map<String, Object> doc) {
            this.doc = doc;
        }

        @SuppressWarnings("unchecked")
        void check(String operation, String status, Http.Response response) {
            assertEquals(Integer.parseInt(status), response.status(), operation + ": " + response);
            String method = operation.substring(0, operation.indexOf(' ')).toLowerCase(Locale.ROOT);
            String path = operation.substring(operation.indexOf(' ') + 1);
            Map<String, Object> op = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) doc.get("paths"))
                    .get(path)).get(method);
            Map<String, Object> answer = resolve((Map<String, Object>) ((Map<String, Object>) op.get("responses")).get(status));
            assertTrue(answer != null, operation + " documents no " + status);
            Map<String, Object> content = (Map<String, Object>) answer.get("content");
            String type = response.contentType().split(";")[0].trim();
            assertTrue(content != null && content.containsKey(type), operation + " " + status + " documents no " + type);
            Map<String, Object> schema = (Map<String, Object>) ((Map<String, Object>) content.get(type)).get("schema");
            JsonValue body;
            try (var reader = Json.createReader(new StringReader(response.body()))) {
                body = reader.readValue();
            }
            List<String> problems = new ArrayList<>();
            validate(schema, body, "$", problems);
            assertTrue(problems.isEmpty(), operation + " " + status + " does not match its schema: " + problems + "\n" + body);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> resolve(Map<String, Object> node) {
            while (node != null && node.containsKey("$ref")) {
                String[] parts = ((String) node.get("$ref")).substring(2).split("/");
                Object at = doc;
                for (String part : parts) {
                    at = ((Map<String, Object>) at).get(part);
                }
                node = (Map<String, Object>) at;
            }
            return node;
        }

        @SuppressWarnings("unchecked")
        void validate(Map<String, Object> schemaRef, JsonValue value, String where, List<String> problems) {
            Map<String, Object> schema = resolve(schemaRef);
            if (value.getValueType() == JsonValue.ValueType.NULL) {
                if (schema.containsKey("type") && !Boolean.TRUE.equals(schema.get("nullable"))) {
                    problems.add(where + " is null but not nullable");
                }
                return;
            }
            String type = (String) schema.get("type");
            if (type != null && !matches(type, value)) {
                problems.add(where + " is " + value.getValueType() + ", documented " + type);
                return;
            }
            if (schema.containsKey("enum") && value instanceof JsonString s
                    && !((List<Object>) schema.get("enum")).contains(s.getString())) {
                problems.add(where + " = " + s.getString() + " is not one of " + schema.get("enum"));
            }
            if (value instanceof JsonObject object) {
                for (String required : (List<String>) schema.getOrDefault("required", List.of())) {
                    if (!object.containsKey(required)) {
                        problems.add(where + "." + required + " is required");
                    }
                }
                Map<String, Object> properties = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
                object.forEach((name, v) -> {
                    Object property = properties.get(name);
                    if (property != null) {
                        validate((Map<String, Object>) property, v, where + "." + name, problems);
                    } else if (schema.get("additionalProperties") instanceof Map<?, ?> extra) {
                        validate((Map<String, Object>) extra, v, where + "." + name, problems);
                    } else if (!properties.isEmpty() && schema.get("additionalProperties") == null) {
                        problems.add(where + "." + name + " is not documented");
                    }
                });
            }
            if (value instanceof JsonArray array && schema.get("items") instanceof Map<?, ?> items) {
                for (int i = 0; i < array.size(); i++) {
                    validate((Map<String, Object>) items, array.get(i), where + "[" + i + "]", problems);
                }
            }
        }

        static boolean matches(String type, JsonValue value) {
            return switch (type) {
                case "object" -> value instanceof JsonObject;
                case "array" -> value instanceof JsonArray;
                case "string" -> value instanceof JsonString;
                case "integer" -> value instanceof JsonNumber n && n.isIntegral();
                case "number" -> value instanceof JsonNumber;
                case "boolean" -> value == JsonValue.TRUE || value == JsonValue.FALSE;
                default -> true;
            };
        }
    }
}
