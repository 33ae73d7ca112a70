package io.shepherd.runtime.cli;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.shepherd.runtime.auth.TokenFile;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;
import java.net.http.HttpClient;
import picocli.CommandLine.Option;

/**
 * Options and plumbing shared by the commands that call a running runtime. The token defaults
 * to the admin token the runtime generated in the local data directory.
 */
public final class Remote {
    @Option(names = "--url", description = "Runtime URL (default: $SHEPHERD_URL or http://localhost:8080)")
    String url;

    @Option(names = "--token", description = "Bearer token (default: $SHEPHERD_TOKEN or the admin token in the data directory)")
    String token;

    @Option(names = "--data-dir", description = "Data directory holding tokens.json (default: $SHEPHERD_DATA_DIR or ./data)")
    Path dataDir;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An answer: its status and body (JSON when there is one). */
    public record Answer(int status, String body) {
        public boolean ok() {
            return status < 400;
        }
    }

    String baseUrl() {
        String base = url != null ? url : System.getenv().getOrDefault("SHEPHERD_URL", "http://localhost:8080");
        base = base.split(",")[0].trim();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    String token() throws IOException {
        if (token != null) {
            return token;
        }
        String env = System.getenv("SHEPHERD_TOKEN");
        if (env != null && !env.isBlank()) {
            return env;
        }
        Path dir = dataDir != null ? dataDir : Path.of(System.getenv().getOrDefault("SHEPHERD_DATA_DIR", "./data"));
        Path file = TokenFile.path(dir);
        if (!Files.exists(file)) {
            throw new IOException("No token given and no " + file + " (pass --token, set SHEPHERD_TOKEN, or run "
                    + "on the runtime's machine with --data-dir)");
        }
        return TokenFile.read(file).admin().getFirst();
    }

    Answer get(String path, boolean authenticated) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET(), authenticated);
    }

    Answer post(String path, JsonObject body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())), true);
    }

    private Answer send(HttpRequest.Builder request, boolean authenticated) throws IOException, InterruptedException {
        request.timeout(Duration.ofSeconds(30));
        if (authenticated) {
            request.header("Authorization", "Bearer " + token());
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    /** Prints a JSON answer readably; problems go to stderr. Returns the exit code. */
    static int print(Answer answer) {
        String text = pretty(answer.body());
        if (answer.ok()) {
            System.out.println(text);
            return 0;
        }
        System.err.println("HTTP " + answer.status() + ": " + text);
        return 1;
    }

    static String pretty(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try (var reader = Json.createReader(new StringReader(body))) {
            JsonValue value = reader.readValue();
            StringWriter out = new StringWriter();
            try (var writer = Json.createWriterFactory(Map.of(JsonGenerator.PRETTY_PRINTING, true)).createWriter(out)) {
                writer.write(value);
            }
            return out.toString().strip();
        } catch (RuntimeException e) {
            return body;
        }
    }
}
