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

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
            description = "table, wide or json (default: table on a terminal, json otherwise)")
    Format output;

    /** How a command prints: a table for people (wide: more columns), or one JSON document for scripts. */
    public enum Format { TABLE, WIDE, JSON }

    /** Exit codes scripts can rely on. */
    static final int REFUSED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;

    /** A call that did not succeed: one readable line, and the exit code. */
    static final class Failure extends RuntimeException {
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    Format format() {
        if (output != null) {
            return output;
        }
        return onTerminal() ? Format.TABLE : Format.JSON;
    }

    /** Whether standard output is a terminal ({@code Console.isTerminal()} where the JDK has it, Java 22+). */
    static boolean onTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException olderJdk) {
            return true; // before Java 22 a console exists only on a terminal
        }
    }

    boolean json() {
        return format() == Format.JSON;
    }

    /** Prints an answer: the whole JSON document for scripts, or {@code forPeople}'s rendering. Exit code 0. */
    int show(JsonObject answer, java.util.function.Consumer<JsonObject> forPeople) {
        if (json()) {
            Out.json(System.out, answer);
        } else {
            forPeople.accept(answer);
        }
        return 0;
    }

    boolean wide() {
        return format() == Format.WIDE;
    }

    /** GET, answering the JSON body; a refusal or no answer throws a {@link Failure}. */
    JsonValue read(String path) throws IOException, InterruptedException {
        return expect(get(path, true));
    }

    /** POST, answering the JSON body (NULL for 204); a refusal or no answer throws a {@link Failure}. */
    JsonValue write(String method, String path, JsonObject body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body == null ? "{}" : body.toString()));
        return expect(send(request, true));
    }

    /** The answer's JSON, or a Failure with the problem's title and detail. */
    static JsonValue expect(Answer answer) {
        if (answer.ok()) {
            if (answer.body() == null || answer.body().isBlank()) {
                return JsonValue.NULL;
            }
            try (var reader = Json.createReader(new StringReader(answer.body()))) {
                return reader.readValue();
            }
        }
        String message = "HTTP " + answer.status();
        try (var reader = Json.createReader(new StringReader(answer.body()))) {
            JsonObject problem = reader.readObject();
            message = problem.getString("title", "HTTP " + answer.status()) + ": " + problem.getString("detail", "")
                    + " (HTTP " + answer.status() + ")";
        } catch (RuntimeException notAProblem) {
            // keep the status alone
        }
        throw new Failure(REFUSED, message);
    }

    /**
     * Made on the first call, not with the command: picocli makes every command (and so this
     * mixin) when the command line is built, in every process — a {@code serve} included, which
     * used to carry some thirty idle HTTP clients, each with a selector thread, for nothing.
     */
    private HttpClient client;

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
        HttpRequest built = request.build();
        HttpResponse<String> response;
        try {
            if (client == null) {
                client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            }
            response = client.send(built, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException | java.net.http.HttpTimeoutException e) {
            throw new Failure(UNREACHABLE, "cannot reach the runtime at " + baseUrl() + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        return new Answer(response.statusCode(), response.body());
    }
}
